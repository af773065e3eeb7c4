import { createRegistryClient, createTokenVerifier } from '@mlops/client';
import { driftPolicySchema } from '@mlops/contracts';
import { applyServerLimits, closeOnSignal, createLogger, readTokenFile } from '@mlops/config';
import { buildApp } from './app';
import { alertWebhookOf } from './alert-webhook-config';
import { loadEnv } from './env';
import { retrainPolicies } from './policy';
import { registryProfileSource } from './profiles';

const env = loadEnv();
const logger = createLogger('monitor', env.LOG_LEVEL);

const policy = driftPolicySchema.parse({
  windowSize: env.MONITOR_WINDOW_SIZE,
  pValueThreshold: env.MONITOR_P_VALUE_THRESHOLD,
  distanceThreshold: env.MONITOR_DISTANCE_THRESHOLD,
  driftShare: env.MONITOR_DRIFT_SHARE,
  minRows: env.MONITOR_MIN_ROWS,
  embeddingMethod: env.MONITOR_EMBEDDING_METHOD,
  embeddingComponentShare: env.MONITOR_EMBEDDING_COMPONENT_SHARE,
  mmdPermutations: env.MONITOR_MMD_PERMUTATIONS,
});

const token = env.MLOPS_TOKEN ?? readTokenFile(env.MLOPS_DATA_DIR);
const client = createRegistryClient({ url: env.REGISTRY_URL, ...(token ? { token } : {}) });
const registry = registryProfileSource(client);
const webhook = await alertWebhookOf(env, token);

const app = await buildApp({
  callers: createTokenVerifier({
    registryUrl: env.REGISTRY_URL,
    cacheMs: env.MLOPS_TOKEN_CACHE_MS,
  }),
  publicReads: env.MLOPS_PUBLIC_READS,
  feedbackMaxAgeMs: env.MONITOR_FEEDBACK_MAX_AGE_MS,
  redisUrl: env.REDIS_URL,
  prefix: env.MLOPS_REDIS_PREFIX,
  profiles: registry,
  models: registry,
  policy,
  windowRetain: env.MONITOR_WINDOW_RETAIN,
  pollMs: env.MONITOR_POLL_MS,
  alertCooldownMs: env.MONITOR_ALERT_COOLDOWN_MS,
  logger,
  registry: client,
  retrainPolicy: retrainPolicies(env),
  predictionBaselineRows: env.MONITOR_PREDICTION_BASELINE_ROWS,
  qualityWindow: env.MONITOR_QUALITY_WINDOW,
  ...(webhook ? { webhook } : {}),
});

closeOnSignal(app, { logger });

applyServerLimits(app.server, env, logger);
await app.listen({ port: env.MONITOR_PORT, host: env.MLOPS_BIND });
logger.info({ policy }, 'monitor listening');
