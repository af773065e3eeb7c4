/**
 * (c) Our server as deployed: validation, preprocessing, batching, metrics and the payload log
 * to Redis (SERVING_LOG_SAMPLE_RATE from the environment), models from an in-memory registry.
 * With BENCH_LOG_SWITCH=1 the log can be switched on and off at `GET /bench/log-switch?on=0|1`.
 * The bundle is served as model BENCH_MODEL (`iris` unless told).
 */
import { Redis } from 'ioredis';
import { createLogger } from '@mlops/config';
import { redisKeys } from '@mlops/contracts';
import { buildApp } from '../../src/app';
import { loadServingEnv } from '../../src/env';
import { announce, benchSource } from '../bundle-dir';
import { LogSwitch, logSwitchRoute } from '../log-switch';

const dir = process.argv[2] ?? '';
const name = process.env.BENCH_MODEL ?? 'iris';
const prefix = `bench-${process.pid}`;
const env = loadServingEnv({
  ...process.env,
  MLOPS_REDIS_PREFIX: prefix,
  SERVING_MODELS: name,
  LOG_LEVEL: 'silent',
});
const redis = new Redis(env.REDIS_URL);
let logSwitch: LogSwitch | undefined;
// No registry here to verify tokens with: every caller is one principal holding `predict`. (A
// cached verification in production adds a sha256 of the token and a map lookup per request.)
const benchCaller = { name: 'token:bench', tokenId: null, scopes: ['predict' as const] };
const app = await buildApp({
  env,
  source: await benchSource(dir, name),
  callers: {
    verify: () => Promise.resolve(benchCaller),
    authorize: () => Promise.resolve(benchCaller),
  },
  redis,
  logger: createLogger('bench', 'silent'),
  ...(process.env.BENCH_LOG_SWITCH === '1'
    ? { wrapLogSink: (sink) => (logSwitch = new LogSwitch(sink)) }
    : {}),
});
if (logSwitch) logSwitchRoute(app, logSwitch);
await app.listen({ port: 0, host: '127.0.0.1' });
while (!app.serving.models.get(name)?.loaded) await new Promise((r) => setTimeout(r, 20));
const addr = app.server.address();
announce(typeof addr === 'object' && addr ? addr.port : 0);
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    const cleanup = new Redis(env.REDIS_URL);
    await cleanup.del(redisKeys(prefix).predictions(name));
    await cleanup.quit();
    process.exit(0);
  })();
});
