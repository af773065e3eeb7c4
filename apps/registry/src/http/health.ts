import type { FastifyInstance } from 'fastify';
import { pingDb } from '@mlops/storage';
import type { RegistryDeps } from '../deps';

const READY_TIMEOUT_MS = 2_000;

export function registerHealthRoutes(app: FastifyInstance, deps: RegistryDeps): void {
  // Probes and Prometheus answer without a token (the access hook skips `public` routes).
  const open = { config: { public: true } };
  app.get('/healthz', open, () => ({ ok: true }));

  app.get('/readyz', open, async (_request, reply) => {
    const checks = await Promise.all([
      check('database', () => pingDb(deps.db)),
      check('artifacts', () => deps.store.ping()),
      check('redis', async () => {
        await deps.redis.ping();
      }),
    ]);
    const ok = checks.every((c) => c.ok);
    return reply.status(ok ? 200 : 503).send({ ok, checks });
  });

  app.get('/metrics', open, async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}

async function check(
  name: string,
  probe: () => Promise<void>,
): Promise<{ name: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)),
          READY_TIMEOUT_MS,
        );
      }),
    ]);
    return { name, ok: true };
  } catch (err) {
    return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}
