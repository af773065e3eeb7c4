import { z } from 'zod';
import { errorBodySchema } from './errors';

/**
 * OpenAPI 3.1 documents built from the zod contracts (zod 4's `z.toJSONSchema`): each app lists
 * its operations with the schemas it already validates with, and the document is derived from
 * them, so there is never a second copy of a schema to drift. Pure (no I/O): the registry,
 * serving and the monitor each serve the result at `GET /openapi.json`.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Who may call: nobody in particular, any valid token, or a token with this scope. */
export type OperationAccess = 'public' | 'authenticated' | { scope: string };

export interface ApiOperation {
  method: HttpMethod;
  /** OpenAPI path template, `{param}` for path parameters: `/api/v1/models/{name}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  access: OperationAccess;
  /**
   * Everything the call takes, one z.object: the path template's `{param}`s are its keys of
   * the same name; the other keys are query parameters (`inputIn: 'query'`, the default for
   * GET and DELETE) or the JSON body's fields (`inputIn: 'body'`).
   */
  input?: z.ZodType;
  inputIn?: 'query' | 'body';
  /** A body that is not JSON fields (uploads): its content types, described in words. */
  rawBody?: { contentTypes: string[]; description: string };
  /**
   * A JSON body described whole (a protocol's request, often a union of forms); then `input`
   * holds only the path and query parameters. `bodyTypes` adds other accepted content types.
   */
  body?: z.ZodType;
  bodyTypes?: string[];
  /** The error body, when it is not the platform's `{error:{code,message,details}}`. */
  errorBody?: z.ZodType;
  /** The Fastify route serving it, when it is not the path template (`/v1/models/:nameAndVerb`). */
  route?: string;
  /** The 2xx answer's JSON schema; omitted for non-JSON answers (`responseType`). */
  output?: z.ZodType;
  status?: number;
  responseType?: string;
  responseDescription?: string;
}

export interface OpenApiInfo {
  title: string;
  version: string;
  description: string;
}

type JsonSchema = Record<string, unknown> & {
  properties?: Record<string, JsonSchema>;
  required?: string[];
  type?: unknown;
  anyOf?: JsonSchema[];
};

/** JSON Schema 2020-12 of one side of a zod schema (the dialect OpenAPI 3.1 uses). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    io,
    target: 'draft-2020-12',
    // A refinement or transform JSON Schema cannot express is described by its base shape.
    unrepresentable: 'any',
  }) as JsonSchema;
  delete json.$schema;
  return json;
}

/** The JSON types a property may take (`anyOf` of a nullable or a union flattened). */
export function jsonTypesOf(schema: JsonSchema | undefined): Set<string> {
  const types = new Set<string>();
  if (!schema) return types;
  if (typeof schema.type === 'string') types.add(schema.type);
  if (Array.isArray(schema.type)) for (const t of schema.type) types.add(String(t));
  for (const part of schema.anyOf ?? []) for (const t of jsonTypesOf(part)) types.add(t);
  return types;
}

/** `{name}` parameters of a path template, in order. */
export function pathParamsOf(path: string): string[] {
  return [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] ?? '');
}

const ERROR_REF = { $ref: '#/components/schemas/Error' };

export function buildOpenApiDocument(
  info: OpenApiInfo,
  operations: readonly ApiOperation[],
): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const shared: Record<string, unknown> = { Error: jsonSchemaOf(errorBodySchema, 'output') };
  const schemaOf = hoistingInto(shared);
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    const key = op.method.toLowerCase();
    if (item[key]) throw new Error(`openapi: ${op.method} ${op.path} described twice`);
    item[key] = describeOperation(op, schemaOf);
  }
  return {
    openapi: '3.1.0',
    info,
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      schemas: shared,
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token (`mlops_…`); each operation names the scope it needs in `x-scope`.',
        },
      },
    },
  };
}

type SchemaOf = (schema: z.ZodType, io: 'input' | 'output') => JsonSchema;

/**
 * JSON Schema of a zod schema, with its `$defs` (recursive schemas: a tensor's nested arrays)
 * moved to `components/schemas`: `#/$defs/…` inside an operation would resolve against the
 * document's root, where there is none.
 */
function hoistingInto(shared: Record<string, unknown>): SchemaOf {
  let next = 0;
  return (schema, io) => {
    const json = jsonSchemaOf(schema, io);
    const defs = json.$defs as Record<string, unknown> | undefined;
    if (!defs) return json;
    delete json.$defs;
    const renamed = new Map(Object.keys(defs).map((name) => [name, `Schema${++next}`]));
    const rewrite = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value).replace(/"#\/\$defs\/([^"]+)"/g, (whole, name: string) => {
          const to = renamed.get(name);
          return to ? `"#/components/schemas/${to}"` : whole;
        }),
      ) as unknown;
    for (const [name, def] of Object.entries(defs))
      shared[renamed.get(name) ?? name] = rewrite(def);
    return rewrite(json) as JsonSchema;
  };
}

function describeOperation(op: ApiOperation, schemaOf: SchemaOf): Record<string, unknown> {
  const input = op.input ? schemaOf(op.input, 'input') : { type: 'object', properties: {} };
  const props = input.properties ?? {};
  const required = new Set(input.required ?? []);
  const inPath = pathParamsOf(op.path);
  for (const name of inPath)
    if (!props[name]) throw new Error(`openapi: ${op.operationId} has no input for {${name}}`);
  const inputIn =
    op.inputIn ??
    (op.body || op.rawBody || op.method === 'GET' || op.method === 'DELETE' ? 'query' : 'body');
  const parameters: Record<string, unknown>[] = inPath.map((name) => ({
    name,
    in: 'path',
    required: true,
    schema: props[name],
  }));
  const rest = Object.entries(props).filter(([name]) => !inPath.includes(name));
  if (inputIn === 'query')
    for (const [name, schema] of rest) parameters.push(queryParameter(name, schema, required));

  const operation: Record<string, unknown> = {
    operationId: op.operationId,
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    tags: [op.tag],
    parameters,
    responses: responsesOf(op, schemaOf),
    security: op.access === 'public' ? [] : [{ bearer: [] }],
    'x-scope':
      op.access === 'public' || op.access === 'authenticated' ? op.access : op.access.scope,
  };
  if (op.body) {
    const schema = schemaOf(op.body, 'input');
    operation.requestBody = {
      required: true,
      content: Object.fromEntries(
        ['application/json', ...(op.bodyTypes ?? [])].map((type) => [
          type,
          type === 'application/json' ? { schema } : {},
        ]),
      ),
    };
  } else if (op.rawBody) {
    operation.requestBody = {
      required: true,
      description: op.rawBody.description,
      content: Object.fromEntries(op.rawBody.contentTypes.map((type) => [type, {}])),
    };
  } else if (inputIn === 'body') {
    const body: JsonSchema = {
      ...input,
      properties: Object.fromEntries(rest),
      required: [...required].filter((name) => !inPath.includes(name)),
    };
    if (body.required?.length === 0) delete body.required;
    operation.requestBody = {
      required: (body.required?.length ?? 0) > 0,
      content: { 'application/json': { schema: body } },
    };
  }
  return operation;
}

/** Scalars as plain parameters; objects and arrays as JSON in the parameter's value. */
function queryParameter(
  name: string,
  schema: JsonSchema,
  required: Set<string>,
): Record<string, unknown> {
  const types = jsonTypesOf(schema);
  const structured = types.has('object') || types.has('array');
  return {
    name,
    in: 'query',
    required: required.has(name),
    ...(structured ? { content: { 'application/json': { schema } } } : { schema }),
  };
}

function responsesOf(op: ApiOperation, schemaOf: SchemaOf): Record<string, unknown> {
  const schema = op.errorBody ? schemaOf(op.errorBody, 'output') : ERROR_REF;
  const error = (description: string) => ({
    description,
    content: { 'application/json': { schema } },
  });
  const success = op.output
    ? {
        description: op.responseDescription ?? 'OK',
        content: { 'application/json': { schema: schemaOf(op.output, 'output') } },
      }
    : {
        description: op.responseDescription ?? 'OK',
        ...(op.responseType ? { content: { [op.responseType]: {} } } : {}),
      };
  return {
    [String(op.status ?? 200)]: success,
    '400': error('Bad input: `details` names each field at fault'),
    ...(op.access === 'public'
      ? {}
      : { '401': error('No valid token'), '403': error('The token lacks the scope') }),
    '4XX': error('Not found, conflict, precondition failed, body too large…'),
    '5XX': error('The service or one of its dependencies is unavailable'),
  };
}
