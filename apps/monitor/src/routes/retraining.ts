import type { FastifyInstance } from 'fastify';
import {
  AppError,
  isResourceName,
  retrainSwitchInputSchema,
  zodIssuesToDetails,
} from '@mlops/contracts';
import type { RetrainRecord } from '@mlops/contracts';
import type { RetrainSwitches } from '../retrain-switch';

function modelParam(name: string): string {
  if (!isResourceName(name)) throw new AppError('NOT_FOUND', `"${name}" is not a model name`);
  return name;
}

/**
 * A model's automatic retraining switch and history. `GET` (read) says whether the monitor may retrain and
 * promote it on its own and who decided; `PUT {enabled, reason?}` (promote) decides.
 */
export function retrainingRoutes(
  app: FastifyInstance,
  switches: RetrainSwitches,
  history: (model: string) => Promise<RetrainRecord[]>,
): void {
  app.get<{ Params: { model: string } }>('/v1/models/:model/retraining', (request) =>
    switches.get(modelParam(request.params.model)),
  );
  // What automatic retraining did for the model (read): each run or pipeline run, its outcome.
  app.get<{ Params: { model: string } }>(
    '/v1/models/:model/retraining/history',
    async (request) => {
      const model = modelParam(request.params.model);
      return { model, retraining: await history(model) };
    },
  );
  app.put<{ Params: { model: string } }>('/v1/models/:model/retraining', async (request) => {
    const model = modelParam(request.params.model);
    const parsed = retrainSwitchInputSchema.safeParse(request.body);
    if (!parsed.success) {
      const details = zodIssuesToDetails(parsed.error.issues);
      throw new AppError(
        'VALIDATION_FAILED',
        `Send {"enabled": true|false, "reason"?: "..."}: ${details
          .slice(0, 5)
          .map((d) => `${d.path || '(body)'}: ${d.message}`)
          .join('; ')}`,
        details,
      );
    }
    const by = request.principal?.name ?? 'anonymous';
    const result = await switches.set(model, parsed.data.enabled, by, parsed.data.reason);
    request.log.info(
      { model, enabled: result.enabled, by, reason: result.reason },
      'automatic retraining switched',
    );
    return result;
  });
}
