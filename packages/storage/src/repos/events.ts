import { platformEventSchema, type PlatformEvent } from '@mlops/contracts';
import type { Db } from '../db/connection';
import { parseJsonColumn } from './json';

export async function insertEvent(db: Db, event: PlatformEvent): Promise<void> {
  await db
    .insertInto('events')
    .values({ id: event.id, type: event.type, json: JSON.stringify(event), at: event.at })
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
