import { randomUUID } from 'node:crypto';
import { platformEventSchema, type PlatformEvent, type PlatformEventInput } from '@mlops/contracts';
import { insertEvent, recentEvents } from '@mlops/storage';
import type { RegistryDeps } from '../deps';

/**
 * Stamp, store and publish an event. The table is the durable record (events.recent); Redis
 * pub/sub is the live fan-out. A publish failure is logged, not thrown: the change it announces
 * has already happened and must not be reported to the caller as failed.
 */
export async function publishEvent(
  deps: Pick<RegistryDeps, 'db' | 'redis' | 'keys' | 'logger'> &
    Partial<Pick<RegistryDeps, 'webhooks'>>,
  input: PlatformEventInput,
): Promise<PlatformEvent> {
  const event = platformEventSchema.parse({
    ...input,
    id: randomUUID(),
    at: new Date().toISOString(),
  });
  await insertEvent(deps.db, event);
  // Directly as well as via the channel below: webhooks fire even when Redis is down.
  deps.webhooks?.offer(event);
  try {
    await deps.redis.publish(deps.keys.events, JSON.stringify(event));
  } catch (err) {
    deps.logger.warn({ err, type: event.type }, 'could not publish event on Redis');
  }
  return event;
}

export function listRecentEvents(
  deps: Pick<RegistryDeps, 'db'>,
  limit: number,
): Promise<PlatformEvent[]> {
  return recentEvents(deps.db, { limit });
}

/** A message heard on the events channel, if it is a valid event (anything else is ignored). */
export function parseEvent(message: string): PlatformEvent | null {
  try {
    return platformEventSchema.parse(JSON.parse(message));
  } catch {
    return null;
  }
}
