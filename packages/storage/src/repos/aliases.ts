import {
  AppError,
  aliasAuditEntrySchema,
  aliasSchema,
  gateVerdictSchema,
  type Alias,
  type AliasAuditEntry,
  type GateVerdict,
} from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { AliasHistoryRow, AliasRow } from '../db/tables/aliases';
import { lockKey, writeTransaction } from '../db/transaction';
import { parseJsonColumn } from './json';
import { recordProducer } from './producers';

export interface AliasMove {
  alias: Alias | null;
  from: number | null;
  to: number | null;
  /** false when the alias already pointed there (nothing written, nothing to announce). */
  changed: boolean;
}

/** What the audit trail records besides from/to. */
export interface AuditFields {
  actor: string;
  now: string;
  verdict?: GateVerdict | null;
  reason?: string | null;
  forced?: boolean;
  /** The pipeline step making the move (checked by the caller); recorded in the same commit. */
  producedBy?: { pipelineRunId: string; stepId: string } | null;
}

/**
 * Create or move an alias, recording the move in `alias_history`. With `expectedFrom` the move
 * happens only while the alias still points there (null = does not exist): the gate evaluated
 * the candidate against that baseline, so a concurrent move makes this one CONFLICT.
 */
export async function setAlias(
  db: Db,
  input: {
    model: string;
    alias: string;
    version: number;
    expectedFrom?: number | null;
  } & AuditFields,
): Promise<AliasMove> {
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `alias:${input.model}:${input.alias}`);
    const current = await trx
      .selectFrom('aliases')
      .selectAll()
      .where('model', '=', input.model)
      .where('alias', '=', input.alias)
      .executeTakeFirst();
    if (input.expectedFrom !== undefined && (current?.version ?? null) !== input.expectedFrom) {
      throw new AppError(
        'CONFLICT',
        `alias ${input.model}@${input.alias} was moved by someone else meanwhile (now ${current?.version ?? 'unset'}); retry`,
      );
    }
    if (current && current.version === input.version) {
      return {
        alias: toAlias(current),
        from: current.version,
        to: current.version,
        changed: false,
      };
    }
    const row = await trx
      .insertInto('aliases')
      .values({
        model: input.model,
        alias: input.alias,
        version: input.version,
        updated_at: input.now,
      })
      .onConflict((oc) =>
        oc
          .columns(['model', 'alias'])
          .doUpdateSet({ version: input.version, updated_at: input.now }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await insertHistory(trx, input, current?.version ?? null, input.version);
    return {
      alias: toAlias(row),
      from: current?.version ?? null,
      to: input.version,
      changed: true,
    };
  });
}

export async function deleteAlias(
  db: Db,
  input: { model: string; alias: string } & AuditFields,
): Promise<AliasMove> {
  return writeTransaction(db, async (trx) => {
    await lockKey(trx, `alias:${input.model}:${input.alias}`);
    const current = await trx
      .deleteFrom('aliases')
      .where('model', '=', input.model)
      .where('alias', '=', input.alias)
      .returningAll()
      .executeTakeFirst();
    if (!current) return { alias: null, from: null, to: null, changed: false };
    await insertHistory(trx, input, current.version, null);
    return { alias: null, from: current.version, to: null, changed: true };
  });
}

async function insertHistory(
  trx: Db,
  input: { model: string; alias: string } & AuditFields,
  from: number | null,
  to: number | null,
): Promise<void> {
  const row = await trx
    .insertInto('alias_history')
    .values({
      model: input.model,
      alias: input.alias,
      from_version: from,
      to_version: to,
      actor: input.actor,
      at: input.now,
      verdict_json: input.verdict ? JSON.stringify(input.verdict) : null,
      reason: input.reason ?? null,
      forced: input.forced ? 1 : 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (input.producedBy) {
    await recordProducer(trx, {
      kind: 'alias-move',
      ref: String(row.id),
      ...input.producedBy,
      recordedAt: input.now,
    });
  }
}

export async function getAlias(db: Db, model: string, alias: string): Promise<Alias | undefined> {
  const row = await db
    .selectFrom('aliases')
    .selectAll()
    .where('model', '=', model)
    .where('alias', '=', alias)
    .executeTakeFirst();
  return row ? toAlias(row) : undefined;
}

export async function listAliases(db: Db, model: string): Promise<Alias[]> {
  const rows = await db
    .selectFrom('aliases')
    .selectAll()
    .where('model', '=', model)
    .orderBy('alias')
    .execute();
  return rows.map(toAlias);
}

/** Raw audit rows of one alias, oldest first. */
export async function aliasHistory(
  db: Db,
  model: string,
  alias: string,
): Promise<AliasHistoryRow[]> {
  return db
    .selectFrom('alias_history')
    .selectAll()
    .where('model', '=', model)
    .where('alias', '=', alias)
    .orderBy('id')
    .execute();
}

/** The audit trail of a model (optionally one alias), newest first, paged by id. */
export async function aliasAudit(
  db: Db,
  opts: { model: string; alias?: string; limit: number; before?: number },
): Promise<AliasAuditEntry[]> {
  let q = db.selectFrom('alias_history').selectAll().where('model', '=', opts.model);
  if (opts.alias !== undefined) q = q.where('alias', '=', opts.alias);
  if (opts.before !== undefined) q = q.where('id', '<', opts.before);
  const rows = await q.orderBy('id', 'desc').limit(opts.limit).execute();
  return rows.map(toAuditEntry);
}

/** The version the alias pointed at before its latest move (what a rollback returns to). */
export async function previousAliasVersion(
  db: Db,
  model: string,
  alias: string,
): Promise<{ current: number | null; previous: number | null }> {
  const last = await db
    .selectFrom('alias_history')
    .select(['from_version', 'to_version'])
    .where('model', '=', model)
    .where('alias', '=', alias)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  return { current: last?.to_version ?? null, previous: last?.from_version ?? null };
}

export function toAuditEntry(row: AliasHistoryRow): AliasAuditEntry {
  return aliasAuditEntrySchema.parse({
    id: Number(row.id),
    model: row.model,
    alias: row.alias,
    from: row.from_version,
    to: row.to_version,
    actor: row.actor,
    at: row.at,
    verdict: row.verdict_json
      ? parseJsonColumn(gateVerdictSchema, row.verdict_json, 'gate verdict')
      : null,
    reason: row.reason,
    forced: Number(row.forced) === 1,
  });
}

function toAlias(row: AliasRow): Alias {
  return aliasSchema.parse({
    model: row.model,
    alias: row.alias,
    version: row.version,
    updatedAt: row.updated_at,
  });
}
