import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { AppError } from '@mlops/contracts';
import type { MonitorMetrics } from '../metrics';

export function healthRoutes(app: FastifyInstance, redis: Redis, metrics: MonitorMetrics): void {
  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    try {
      // Bounded: with Redis down, ioredis would otherwise queue the PING until it reconnects.
      await Promise.race([
        redis.ping(),
        new Promise((_, reject) =>
          setTimeout(() => reject(new Error('PING timed out')), 2_000).unref(),
        ),
      ]);
    } catch (err) {
      throw new AppError(
        'UNAVAILABLE',
        `Redis does not answer (${(err as Error).message}); check REDIS_URL`,
      );
    }
    return { status: 'ready' };
  });
  app.get('/metrics', async (_request, reply) => {
    const body = await metrics.registry.metrics();
    return reply.header('content-type', metrics.registry.contentType).send(body);
  });
}
