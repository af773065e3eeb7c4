import { resourceNameSchema } from './names';

/**
 * Every Redis key and channel of a deployment lives under one prefix, so two deployments (or
 * two test runs) on the same Redis never see each other's queues, events or streams.
 */
export function redisKeys(prefix: string) {
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(prefix)) {
    throw new Error(
      `Redis prefix "${prefix}" must be 1-64 characters of letters, digits, ":", "_" or "-"`,
    );
  }
  return {
    prefix,
    /** BullMQ `prefix` option: queues are `${prefix}:bull:<queue>:*`. */
    bullPrefix: `${prefix}:bull`,
    /** Pub/sub channel of PlatformEvent JSON messages. */
    events: `${prefix}:events`,
    /** Stream of PredictionLogEntry per model (bounded with MAXLEN). */
    predictions: (model: string) => `${prefix}:predictions:${resourceNameSchema.parse(model)}`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
