import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '@mlops/config';
import type { TrainerMetrics } from './metrics';

export interface AppDeps {
  metrics: TrainerMetrics;
  /** True when Redis answers and the worker is consuming the queue. */
  isReady: () => Promise<boolean>;
  logger?: Logger;
}

/** The trainer's small HTTP surface: liveness, readiness and Prometheus metrics. */
export function buildApp(deps: AppDeps): FastifyInstance {
  // Typed as Fastify's base logger so the app's type does not depend on pino's generics.
  const loggerInstance: FastifyBaseLogger | undefined = deps.logger;
  const app: FastifyInstance = Fastify(loggerInstance ? { loggerInstance } : { logger: false });

  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const ready = await deps.isReady().catch(() => false);
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });

  app.get('/metrics', async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });

  return app;
}
