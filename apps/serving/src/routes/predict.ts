import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  AppError,
  describeDetails,
  predictRequestSchema,
  zodIssuesToDetails,
  type PredictResponse,
} from '@mlops/contracts';
import { checkRecords } from '@mlops/ml/records';
import { RetryLaterError } from '../errors';
import { UNKNOWN_MODEL_LABEL, type ServingMetrics } from '../metrics';
import type { ModelSet } from '../models/model-set';
import type { PayloadLog } from '../payload-log';

export interface PredictDeps {
  models: ModelSet;
  metrics: ServingMetrics;
  payloadLog: PayloadLog;
}

/** Seconds a client should wait before retrying a model that is still loading. */
const LOADING_RETRY_AFTER_S = 5;

/**
 * `/v1/models/iris:predict` has its verb after a colon inside the last segment, which
 * Fastify's router would read as a parameter; the segment is one parameter, split here.
 */
export function splitNameAndVerb(segment: string): { name: string; verb: string | null } {
  const at = segment.indexOf(':');
  return at < 0
    ? { name: segment, verb: null }
    : { name: segment.slice(0, at), verb: segment.slice(at + 1) };
}

export function unknownModel(models: ModelSet, name: string): AppError {
  const served = models.names();
  const list = served.length > 0 ? served.map((n) => `"${n}"`).join(', ') : 'none yet';
  return new AppError(
    'NOT_FOUND',
    `Model "${name}" is not served here (alias "${models.alias}"); models served: ${list}`,
  );
}

export function predictRoutes(app: FastifyInstance, deps: PredictDeps): void {
  const { models, metrics, payloadLog } = deps;

  app.post<{ Params: { nameAndVerb: string } }>('/v1/models/:nameAndVerb', {
    // Counted for every outcome, including bodies Fastify refused before the handler ran.
    onResponse: (request, reply, done) => {
      const { name } = splitNameAndVerb(request.params.nameAndVerb ?? '');
      const model = models.get(name) ? name : UNKNOWN_MODEL_LABEL;
      metrics.requests.inc({ model, status: String(reply.statusCode) });
      done();
    },
    handler: async (request): Promise<PredictResponse> => {
      const { name, verb } = splitNameAndVerb(request.params.nameAndVerb);
      if (verb !== 'predict') {
        throw new AppError(
          'NOT_FOUND',
          `Unsupported call "${request.params.nameAndVerb}": use POST /v1/models/<name>:predict`,
        );
      }
      const slot = models.get(name);
      if (!slot) throw unknownModel(models, name);

      const body = predictRequestSchema.safeParse(request.body);
      if (!body.success) {
        const details = zodIssuesToDetails(body.error.issues);
        throw new AppError(
          'VALIDATION_FAILED',
          `Invalid predict request: ${describeDetails(details)}`,
          details,
        );
      }

      const loaded = slot.acquire();
      if (!loaded) {
        const why = slot.lastError ? ` (last error: ${slot.lastError.message})` : '';
        throw new RetryLaterError(
          `Model "${name}" is not loaded yet (state ${slot.state})${why}: retry shortly`,
          LOADING_RETRY_AFTER_S,
        );
      }
      try {
        const checked = checkRecords(loaded.manifest.signature, body.data.instances);
        if (!checked.ok) {
          throw new AppError(
            'VALIDATION_FAILED',
            `Instances do not match the signature of "${name}" v${loaded.version}: ${describeDetails(checked.details)}`,
            checked.details,
          );
        }
        const predictions = await loaded.batcher.submit(checked.rows);
        const predictionIds = checked.rows.map(() => randomUUID());
        payloadLog.record({
          model: name,
          version: loaded.version,
          ids: predictionIds,
          rows: checked.rows,
          predictions,
        });
        return {
          predictions,
          model: { name, version: loaded.version, alias: models.alias },
          predictionIds,
        };
      } finally {
        loaded.release();
      }
    },
  });
}
