import type { Generated, Selectable } from 'kysely';

export interface AliasesTable {
  model: string;
  alias: string;
  version: number;
  updated_at: string;
}
export type AliasRow = Selectable<AliasesTable>;

/** Audit trail: every move of an alias, including creation (from null) and deletion (to null). */
export interface AliasHistoryTable {
  id: Generated<number>;
  model: string;
  alias: string;
  from_version: number | null;
  to_version: number | null;
  actor: string;
  at: string;
  /** JSON GateVerdict of the promotion gate, null when no policy applied. */
  verdict_json: string | null;
  reason: string | null;
  /** 1 when an admin bypassed the gate or a breaking-signature check. */
  forced: Generated<number>;
}
export type AliasHistoryRow = Selectable<AliasHistoryTable>;
