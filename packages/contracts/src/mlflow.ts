import { z } from 'zod';

// The MLflow model registry REST API (issue #18), field for field as mlflow/protos/
// model_registry.proto names it: request messages (GET: query string; POST, PATCH, DELETE:
// JSON body) and the JSON MLflow's server answers. The registry's routes validate with these
// and the OpenAPI document can describe them from here. Field comments quote the proto.

/** MLflow's error body: `{"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "..."}`. */
export const mlflowErrorBodySchema = z.object({ error_code: z.string(), message: z.string() });
export type MlflowErrorBody = z.infer<typeof mlflowErrorBodySchema>;

/** MLflow's error codes this API answers, with the HTTP status MLflow gives each. */
export const MLFLOW_ERROR_STATUS = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  RESOURCE_CONFLICT: 409,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
} as const;
export type MlflowErrorCode = keyof typeof MLFLOW_ERROR_STATUS;

/** "All storage backends are guaranteed to support key values up to 250 bytes in size." */
const tagKey = z.string().min(1).max(250);
const tagValue = z.string().max(5000);
const description = z.string().max(2000);
/** MLflow sends names as given; ours are validated by the domain (resourceNameSchema). */
const name = z.string().min(1).max(256);
/** Version numbers travel as strings ("Model's version number."). */
const version = z.string().regex(/^[1-9][0-9]{0,8}$/, 'must be a positive integer');
const alias = z.string().min(1).max(256);

export const mlflowTagSchema = z.object({ key: tagKey, value: tagValue });

/** A query-string value repeated or not (`?stages=a&stages=b`) as a list. */
const listParam = z.preprocess(
  (v) => (v === undefined ? undefined : Array.isArray(v) ? v : [v]),
  z.array(z.string().max(500)).max(100).optional(),
);
const maxResults = (max: number) => z.coerce.number().int().min(1).max(max).optional();

export const mlflowModelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  current_stage: z.string(),
  description: z.string().optional(),
  source: z.string(),
  run_id: z.string().optional(),
  status: z.enum(['PENDING_REGISTRATION', 'FAILED_REGISTRATION', 'READY']),
  tags: z.array(mlflowTagSchema).optional(),
  aliases: z.array(z.string()).optional(),
});
export type MlflowModelVersion = z.infer<typeof mlflowModelVersionSchema>;

export const mlflowRegisteredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: z.number().int(),
  last_updated_timestamp: z.number().int(),
  description: z.string().optional(),
  latest_versions: z.array(mlflowModelVersionSchema).optional(),
  tags: z.array(mlflowTagSchema).optional(),
  aliases: z.array(z.object({ alias: z.string(), version: z.string() })).optional(),
});
export type MlflowRegisteredModel = z.infer<typeof mlflowRegisteredModelSchema>;

const registeredModelResponse = z.object({ registered_model: mlflowRegisteredModelSchema });
const modelVersionResponse = z.object({ model_version: mlflowModelVersionSchema });
const empty = z.object({});

/** Request and response schema of every MLflow registry call, by MLflow's rpc name. */
export const mlflowApi = {
  createRegisteredModel: {
    request: z.object({
      name,
      tags: z.array(mlflowTagSchema).max(100).optional(),
      description: description.optional(),
    }),
    response: registeredModelResponse,
  },
  getRegisteredModel: { request: z.object({ name }), response: registeredModelResponse },
  renameRegisteredModel: {
    request: z.object({ name, new_name: name.optional() }),
    response: registeredModelResponse,
  },
  updateRegisteredModel: {
    request: z.object({ name, description: description.optional() }),
    response: registeredModelResponse,
  },
  deleteRegisteredModel: { request: z.object({ name }), response: empty },
  searchRegisteredModels: {
    request: z.object({
      filter: z.string().max(500).optional(),
      max_results: maxResults(1000),
      order_by: listParam,
      page_token: z.string().max(500).optional(),
    }),
    response: z.object({
      registered_models: z.array(mlflowRegisteredModelSchema).optional(),
      next_page_token: z.string().optional(),
    }),
  },
  getLatestVersions: {
    request: z.object({ name, stages: listParam }),
    response: z.object({ model_versions: z.array(mlflowModelVersionSchema).optional() }),
  },
  setRegisteredModelTag: {
    request: z.object({ name, key: tagKey, value: tagValue }),
    response: empty,
  },
  deleteRegisteredModelTag: { request: z.object({ name, key: tagKey }), response: empty },
  setRegisteredModelAlias: { request: z.object({ name, alias, version }), response: empty },
  deleteRegisteredModelAlias: { request: z.object({ name, alias }), response: empty },
  getModelVersionByAlias: { request: z.object({ name, alias }), response: modelVersionResponse },
  createModelVersion: {
    request: z.object({
      name,
      source: z.string().min(1).max(1000),
      run_id: z.string().max(64).optional(),
      tags: z.array(mlflowTagSchema).max(100).optional(),
      run_link: z.string().max(1000).optional(),
      description: description.optional(),
    }),
    response: modelVersionResponse,
  },
  getModelVersion: { request: z.object({ name, version }), response: modelVersionResponse },
  updateModelVersion: {
    request: z.object({ name, version, description: description.optional() }),
    response: modelVersionResponse,
  },
  deleteModelVersion: { request: z.object({ name, version }), response: empty },
  searchModelVersions: {
    request: z.object({
      filter: z.string().max(500).optional(),
      max_results: maxResults(200_000),
      order_by: listParam,
      page_token: z.string().max(500).optional(),
    }),
    response: z.object({
      model_versions: z.array(mlflowModelVersionSchema).optional(),
      next_page_token: z.string().optional(),
    }),
  },
  getModelVersionDownloadUri: {
    request: z.object({ name, version }),
    response: z.object({ artifact_uri: z.string() }),
  },
  setModelVersionTag: {
    request: z.object({ name, version, key: tagKey, value: tagValue }),
    response: empty,
  },
  deleteModelVersionTag: {
    request: z.object({ name, version, key: tagKey }),
    response: empty,
  },
} as const;
export type MlflowRpc = keyof typeof mlflowApi;
