/**
 * Requests of MLflow's model registry REST API as its reference writes them: the messages,
 * field names and HTTP methods of mlflow/protos/model_registry.proto (from which MLflow's
 * "REST API" page, mlflow.org/docs/latest/api_reference/rest-api.html, is generated), and
 * GET-from-query-string / other-methods-from-JSON-body as mlflow/server/handlers.py reads them.
 * The reference's example names (`my-model`, tags `key`/`value`) are kept; the model's name
 * is lower case because registry names are.
 */

export const MODEL = 'my-model';

/** "Create RegisteredModel": POST /api/2.0/mlflow/registered-models/create */
export const createRegisteredModel = {
  name: MODEL,
  tags: [{ key: 'team', value: 'fraud' }],
  description: 'Classifies irises',
};

/** "Update RegisteredModel": PATCH /api/2.0/mlflow/registered-models/update */
export const updateRegisteredModel = { name: MODEL, description: 'Classifies iris flowers' };

/** "Set Registered Model Tag": POST /api/2.0/mlflow/registered-models/set-tag */
export const setRegisteredModelTag = { name: MODEL, key: 'owner', value: 'ml-team' };

/** "Delete Registered Model Tag": DELETE /api/2.0/mlflow/registered-models/delete-tag */
export const deleteRegisteredModelTag = { name: MODEL, key: 'owner' };

/**
 * "Create ModelVersion": POST /api/2.0/mlflow/model-versions/create. `source` is the form
 * `mlflow.register_model("runs:/<run_id>/model", name)` sends; `RUN_ID` is replaced by the
 * test's run.
 */
export const createModelVersion = {
  name: MODEL,
  source: 'runs:/RUN_ID/model',
  run_id: 'RUN_ID',
  tags: [{ key: 'validated', value: 'true' }],
  description: 'First version',
};

/** "Get ModelVersion": GET /api/2.0/mlflow/model-versions/get?name=…&version=… */
export const getModelVersion = { name: MODEL, version: '1' };

/** "Update ModelVersion": PATCH /api/2.0/mlflow/model-versions/update */
export const updateModelVersion = { name: MODEL, version: '1', description: 'Best so far' };

/** "Set Model Version Tag": POST /api/2.0/mlflow/model-versions/set-tag */
export const setModelVersionTag = { name: MODEL, version: '1', key: 'stage', value: 'qa' };

/** "Set Registered Model Alias": POST /api/2.0/mlflow/registered-models/alias */
export const setRegisteredModelAlias = { name: MODEL, alias: 'champion', version: '1' };

/** "Get Model Version by Alias": GET /api/2.0/mlflow/registered-models/alias?name=…&alias=… */
export const getModelVersionByAlias = { name: MODEL, alias: 'champion' };

/** "Delete Registered Model Alias": DELETE /api/2.0/mlflow/registered-models/alias */
export const deleteRegisteredModelAlias = { name: MODEL, alias: 'champion' };

/** "Search RegisteredModels": the proto's own filter example, "name LIKE 'my-model-name'". */
export const searchRegisteredModels = { filter: "name LIKE '%my-model%'", max_results: '10' };

/** "Search ModelVersions": the proto's own filter example, "name='my-model-name'". */
export const searchModelVersions = { filter: `name='${MODEL}'` };

/** "Get Latest ModelVersions": POST /api/2.0/mlflow/registered-models/get-latest-versions */
export const getLatestVersions = { name: MODEL, stages: ['None'] };

/** Fields of MLflow's RegisteredModel and ModelVersion messages that every answer carries. */
export const registeredModelFields = ['name', 'creation_timestamp', 'last_updated_timestamp'];
export const modelVersionFields = [
  'name',
  'version',
  'creation_timestamp',
  'last_updated_timestamp',
  'current_stage',
  'source',
  'status',
];
