import type { FastifyInstance, FastifyRequest } from 'fastify';
import {
  AppError,
  describeDetails,
  mlflowInvocationSchema,
  zodIssuesToDetails,
  type ErrorCode,
  type MlflowInvocation,
  type Signature,
  type TensorSignature,
} from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import type { TensorReadOptions } from './tensor-inputs';
import { columnsToTensors, instancesToTensors, tensorOutputs } from './tfserving-tensors';
import { protocolErrorHandler, UnsupportedMediaTypeError } from '../errors';
import { csvToRecords } from './mlflow-csv';
import { flagOutOfRange } from './out-of-range';
import { infer, type InferDeps } from '../inference/infer';
import { countingErrors, requestCounter } from './request-counter';
import { ROUTE_KEY_HEADER } from './tfserving';
import { columnsToRecords } from './tfserving-body';

/** MLflow's error codes (databricks `ErrorCode` names) for ours. */
const MLFLOW_CODES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'BAD_REQUEST',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  PRECONDITION_FAILED: 'INVALID_STATE',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
};

/** A `text/csv` body, read into records by its parser. */
class CsvBody {
  constructor(readonly records: Array<Record<string, unknown>>) {}
}

function unsupported(contentType: string | undefined): UnsupportedMediaTypeError {
  return new UnsupportedMediaTypeError(
    `This predictor only supports the following content types: application/json, text/csv. Got "${contentType ?? ''}"`,
  );
}

/** Records (or a decoder needing the signature), and the field paths are reported under. */
function toRecords(body: MlflowInvocation): {
  records: unknown[] | ((s: Signature) => unknown[]);
  field: string;
} {
  if ('dataframe_split' in body) {
    const { columns, data } = body.dataframe_split;
    const records = data.map((row, i) => {
      if (row.length !== columns.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          `dataframe_split.data[${i}] has ${row.length} values for ${columns.length} columns`,
        );
      }
      const r: Record<string, unknown> = {};
      columns.forEach((c, j) => (r[c] = row[j]));
      return r;
    });
    return { records, field: 'dataframe_split.data' };
  }
  if ('dataframe_records' in body)
    return { records: body.dataframe_records, field: 'dataframe_records' };
  const [field, list] =
    'instances' in body ? ['instances', body.instances] : ['inputs', body.inputs];
  if (!Array.isArray(list)) return { records: columnsToRecords(list), field };
  if (!list.every((r) => Array.isArray(r))) return { records: list, field };
  // Rows of plain values: positional, in the order of the model's inputs (GET /v2/models/<m>).
  const rows = list as unknown[][];
  const decode = (signature: Signature) =>
    rows.map((row, i) => {
      if (row.length !== signature.inputs.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          `${field}[${i}] has ${row.length} values; the model takes ${signature.inputs.length} (${signature.inputs.map((c) => c.name).join(', ')})`,
          [{ path: `${field}[${i}]`, message: `has ${row.length} values` }],
        );
      }
      const r: Record<string, unknown> = {};
      signature.inputs.forEach((c, j) => (r[c.name] = row[j]));
      return r;
    });
  return { records: decode, field };
}

const INPUT_KEYS = ['dataframe_split', 'dataframe_records', 'instances', 'inputs'] as const;

/** A body's records, or a decoder of them (positional rows need the signature). */
function readInvocation(body: unknown): ReturnType<typeof toRecords> {
  if (body instanceof CsvBody) return { records: body.records, field: 'csv' };
  if (typeof body === 'object' && body !== null) {
    // The schema's union would take the first key it knows and drop the other: MLflow refuses.
    const given = INPUT_KEYS.filter((k) => k in body);
    if (given.length > 1)
      throw new AppError(
        'VALIDATION_FAILED',
        `The input must be a JSON object with exactly one of the input fields ${INPUT_KEYS.join(', ')}; it has ${given.join(' and ')}`,
        given.map((path) => ({ path, message: 'only one input field is allowed' })),
      );
    // The schema's union would only say "Invalid input" for a list of both kinds of row.
    const list = (body as Record<string, unknown>)[given[0] ?? ''];
    if (Array.isArray(list) && list.some(Array.isArray) && !list.every(Array.isArray)) {
      const at = list.findIndex((r) => Array.isArray(r) !== Array.isArray(list[0]));
      const kind = Array.isArray(list[0]) ? 'a list of values' : 'a record';
      throw new AppError(
        'VALIDATION_FAILED',
        `"${given[0]}" mixes rows of values and records: ${given[0]}[0] is ${kind}, ${given[0]}[${at}] is not`,
        [{ path: `${given[0]}[${at}]`, message: `must be ${kind} like the rows before it` }],
      );
    }
  }
  const parsed = mlflowInvocationSchema.safeParse(body);
  if (parsed.success) return toRecords(parsed.data);
  // A tensor model's nested lists are no records: the record schema's verdict is only given
  // once the model turns out to take records.
  return {
    records: (): unknown[] => {
      const details = zodIssuesToDetails(parsed.error.issues);
      throw new AppError(
        'VALIDATION_FAILED',
        `The body must be one of ${INPUT_KEYS.join(', ')}: ${describeDetails(details)}`,
        details,
      );
    },
    field: 'inputs',
  };
}

/**
 * MLflow's tensor input (its docs' "tensor input" formats): `instances` as TF Serving rows,
 * `inputs` batch-first (bare for one input, keyed by name for several).
 */
function mlflowTensors(
  signature: TensorSignature,
  body: unknown,
  opts: TensorReadOptions,
): Promise<Record<string, TensorValue>> {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (Array.isArray(b.instances)) return instancesToTensors(signature, b.instances, opts);
  if (b.inputs !== undefined) return columnsToTensors(signature, b.inputs, opts);
  throw new AppError(
    'VALIDATION_FAILED',
    `This model takes tensors (${signature.inputs.map((i) => `${i.name} [${i.shape.join(', ')}]`).join('; ')}): send {"inputs": …} or {"instances": […]}`,
  );
}

/**
 * MLflow's scoring server: `POST /invocations` (the four JSON input formats of MLflow 2),
 * `GET /ping`, `GET /health`, `GET /version`, with its `{error_code, message}` error body. One
 * model answers: `SERVING_MLFLOW_MODEL`, else the only served one, else `?model=<name>`.
 */
export function mlflowRoutes(
  app: FastifyInstance,
  deps: InferDeps,
  bodyLimit: number,
  defaultModel: string | undefined,
): void {
  const { models } = deps;
  /** The model a request is for: `?model=`, else SERVING_MLFLOW_MODEL, else the only one served. */
  const modelOf = (request: FastifyRequest<{ Querystring: { model?: string } }>) => {
    const names = models.names();
    return request.query.model ?? defaultModel ?? (names.length === 1 ? names[0] : undefined);
  };
  void app.register((mlflow, _opts, done) => {
    const counter = requestCounter(deps);
    mlflow.setErrorHandler(
      countingErrors(
        protocolErrorHandler(bodyLimit, (e) => ({
          error_code: MLFLOW_CODES[e.code] ?? 'INTERNAL_ERROR',
          message: e.message,
        })),
        counter,
        (request) => modelOf(request as FastifyRequest<{ Querystring: { model?: string } }>) ?? '',
      ),
    );

    // MLflow reads `application/json` and `text/csv` and answers 415 for anything else
    // (mlflow/pyfunc/scoring_server). A CSV body is pandas' split orient: a header row, rows.
    mlflow.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit }, (_r, text, done) => {
      try {
        done(null, new CsvBody(csvToRecords(text as string)));
      } catch (err) {
        done(err as Error);
      }
    });
    mlflow.removeContentTypeParser('text/plain');
    mlflow.addContentTypeParser('*', (request, _payload, done) =>
      done(unsupported(request.headers['content-type'])),
    );

    const health = (_r: unknown, reply: { status(n: number): { send(b: string): unknown } }) =>
      reply.status(models.ready() ? 200 : 503).send('\n');
    mlflow.get('/ping', health);
    mlflow.get('/health', health);
    mlflow.get('/version', () => '0.1.0');

    mlflow.post<{ Querystring: { model?: string } }>('/invocations', async (request, reply) => {
      const ct = request.headers['content-type'] ?? '';
      if (!ct.startsWith('application/json') && !ct.startsWith('text/csv')) throw unsupported(ct);
      const model = modelOf(request);
      if (!model) {
        throw new AppError(
          'VALIDATION_FAILED',
          `Several models are served (${models.names().join(', ')}): name one with ?model=<name> or SERVING_MLFLOW_MODEL`,
        );
      }
      const body = request.body;
      const { records, field } = readInvocation(body);
      const key = request.headers[ROUTE_KEY_HEADER];
      const result = await infer(deps, {
        target: { model },
        protocol: 'mlflow',
        records,
        tensors:
          body instanceof CsvBody
            ? undefined
            : (signature, opts) => mlflowTensors(signature, body, opts),
        routeKey: typeof key === 'string' ? key : undefined,
        principal: request.principal?.name ?? null,
        renamePath: (p) => p.replace(/^instances/, field),
      });
      counter.count(model, 200);
      if (result.tensors && result.signature.tensors)
        return { predictions: tensorOutputs(result.signature.tensors, result.tensors) };
      flagOutOfRange(reply, result.outOfRange);
      return { predictions: result.predictions };
    });
    done();
  });
}
