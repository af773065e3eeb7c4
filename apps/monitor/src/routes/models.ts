import type { FastifyInstance } from 'fastify';
import type { DriftMonitor } from '../monitor';

/** `GET /v1/models`: monitored models with rows consumed and rows held per version. */
export function modelRoutes(app: FastifyInstance, monitor: DriftMonitor): void {
  app.get('/v1/models', () => ({ models: monitor.summaries() }));
}
