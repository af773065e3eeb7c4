import type { Selectable } from 'kysely';

export interface EventsTable {
  id: string;
  type: string;
  json: string;
  at: string;
}
export type EventRow = Selectable<EventsTable>;
