import { platformEventSchema, type PlatformEvent } from '@mlops/contracts';
import type { Db } from '../db/connection';
import { parseJsonColumn } from './json';

export async function insertEvent(db: Db, event: PlatformEvent): Promise<void> {
  await db
    .insertInto('events')
    .values({ id: event.id, type: event.type, json: JSON.stringify(event), at: event.at })
    .execute();
}

/**
 * Store an event another service published on the channel (the monitor's drift and retraining
 * events); ids are unique, so the registry's own events coming back, or several registry
 * replicas hearing the same message, store it once.
 */
export async function insertEventIfNew(db: Db, event: PlatformEvent): Promise<void> {
  await db
    .insertInto('events')
    .values({ id: event.id, type: event.type, json: JSON.stringify(event), at: event.at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Newest first. */
export async function recentEvents(db: Db, opts: { limit: number }): Promise<PlatformEvent[]> {
  const rows = await db
    .selectFrom('events')
    .selectAll()
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .limit(opts.limit)
    .execute();
  return rows.map((r) => parseJsonColumn(platformEventSchema, r.json, 'event'));
}
