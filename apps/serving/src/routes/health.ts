import type { Redis } from 'ioredis';
import type { FastifyInstance } from 'fastify';
import { AppError, type ErrorDetail } from '@mlops/contracts';
import type { ServingMetrics } from '../metrics';
import type { ModelSet } from '../models/model-set';

const REDIS_PING_TIMEOUT_MS = 1_000;

async function redisAnswers(redis: Redis): Promise<boolean> {
  // Without this check ioredis would queue the PING until it reconnects.
  if (redis.status !== 'ready') return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), REDIS_PING_TIMEOUT_MS);
  });
  try {
    return await Promise.race([redis.ping().then((r) => r === 'PONG'), timeout]);
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}

export function healthRoutes(
  app: FastifyInstance,
  deps: { models: ModelSet; redis: Redis; metrics: ServingMetrics },
): void {
  app.get('/healthz', () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    const problems: ErrorDetail[] = [];
    if (!(await redisAnswers(deps.redis))) {
      problems.push({ path: 'redis', message: 'Redis does not answer PING' });
    }
    if (!deps.models.listed) {
      problems.push({ path: 'models', message: 'model list not read from the registry yet' });
    }
    for (const slot of deps.models.list()) {
      if (slot.loaded) continue;
      const why = slot.lastError ? `: ${slot.lastError.message}` : '';
      problems.push({ path: `models.${slot.name}`, message: `not loaded (${slot.state})${why}` });
    }
    if (problems.length > 0) {
      const err = new AppError('UNAVAILABLE', 'Not ready: see details', problems);
      return reply.status(err.httpStatus).send(err.toBody());
    }
    return {
      status: 'ready',
      models: deps.models.list().map((s) => ({ name: s.name, version: s.loaded?.version ?? null })),
    };
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}
