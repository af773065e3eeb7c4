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
import { protocolErrorHandler } from '../errors';
import { flagOutOfRange } from './out-of-range';
import { infer, type InferDeps } from '../inference/infer';
import { countingErrors, requestCounter } from './request-counter';
import { columnsToRecords, ROUTE_KEY_HEADER } from './tfserving';

/** MLflow's error codes (databricks `ErrorCode` names) for ours. */
const MLFLOW_CODES: Partial<Record<ErrorCode, string>> = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  PAYLOAD_TOO_LARGE: 'BAD_REQUEST',
  NOT_FOUND: 'RESOURCE_DOES_NOT_EXIST',
  PRECONDITION_FAILED: 'INVALID_STATE',
  UNAVAILABLE: 'TEMPORARILY_UNAVAILABLE',
  INTERNAL: 'INTERNAL_ERROR',
};

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
  if ('instances' in body) return { records: body.instances, field: 'instances' };
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) return { records: columnsToRecords(inputs), field: 'inputs' };
  if (!inputs.every((r) => Array.isArray(r))) {
    if (inputs.some((r) => Array.isArray(r)))
      throw new AppError('VALIDATION_FAILED', '"inputs" mixes rows of values and records');
    return { records: inputs, field: 'inputs' };
  }
  // Rows of plain values: positional, in the order of the model's inputs (GET /v2/models/<m>).
  const rows = inputs as unknown[][];
  const decode = (signature: Signature) =>
    rows.map((row, i) => {
      if (row.length !== signature.inputs.length) {
        throw new AppError(
          'VALIDATION_FAILED',
          `inputs[${i}] has ${row.length} values; the model takes ${signature.inputs.length} (${signature.inputs.map((c) => c.name).join(', ')})`,
        );
      }
      const r: Record<string, unknown> = {};
      signature.inputs.forEach((c, j) => (r[c.name] = row[j]));
      return r;
    });
  return { records: decode, field: 'inputs' };
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

    const health = (_r: unknown, reply: { status(n: number): { send(b: string): unknown } }) =>
      reply.status(models.ready() ? 200 : 503).send('\n');
    mlflow.get('/ping', health);
    mlflow.get('/health', health);
    mlflow.get('/version', () => '0.1.0');

    mlflow.post<{ Querystring: { model?: string } }>('/invocations', async (request, reply) => {
      const ct = request.headers['content-type'] ?? '';
      if (!ct.startsWith('application/json')) {
        throw new AppError(
          'VALIDATION_FAILED',
          `Content type "${ct}" is not supported: send application/json`,
        );
      }
      const model = modelOf(request);
      if (!model) {
        throw new AppError(
          'VALIDATION_FAILED',
          `Several models are served (${models.names().join(', ')}): name one with ?model=<name> or SERVING_MLFLOW_MODEL`,
        );
      }
      const body = request.body;
      const parsed = mlflowInvocationSchema.safeParse(body);
      // A tensor model's nested lists are no records: the record schema's verdict is only
      // given once the model turns out to take records.
      const { records, field } = parsed.success
        ? toRecords(parsed.data)
        : {
            records: (): unknown[] => {
              const details = zodIssuesToDetails(parsed.error.issues);
              throw new AppError(
                'VALIDATION_FAILED',
                `The body must be one of dataframe_split, dataframe_records, instances or inputs: ${describeDetails(details)}`,
                details,
              );
            },
            field: 'inputs',
          };
      const key = request.headers[ROUTE_KEY_HEADER];
      const result = await infer(deps, {
        target: { model },
        protocol: 'mlflow',
        records,
        tensors: (signature, opts) => mlflowTensors(signature, body, opts),
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
