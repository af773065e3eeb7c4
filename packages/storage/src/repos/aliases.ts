import { aliasSchema, type Alias } from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { AliasRow } from '../db/tables/aliases';
import { writeTransaction } from '../db/transaction';

export interface AliasMove {
  alias: Alias | null;
  from: number | null;
  to: number | null;
  /** false when the alias already pointed there (nothing written, nothing to announce). */
  changed: boolean;
}

/** Create or move an alias, recording the move in `alias_history`. */
export async function setAlias(
  db: Db,
  input: { model: string; alias: string; version: number; actor: string; now: string },
): Promise<AliasMove> {
  return writeTransaction(db, async (trx) => {
    const current = await trx
      .selectFrom('aliases')
      .selectAll()
      .where('model', '=', input.model)
      .where('alias', '=', input.alias)
      .executeTakeFirst();
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
    await trx
      .insertInto('alias_history')
      .values({
        model: input.model,
        alias: input.alias,
        from_version: current?.version ?? null,
        to_version: input.version,
        actor: input.actor,
        at: input.now,
      })
      .execute();
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
  input: { model: string; alias: string; actor: string; now: string },
): Promise<AliasMove> {
  return writeTransaction(db, async (trx) => {
    const current = await trx
      .deleteFrom('aliases')
      .where('model', '=', input.model)
      .where('alias', '=', input.alias)
      .returningAll()
      .executeTakeFirst();
    if (!current) return { alias: null, from: null, to: null, changed: false };
    await trx
      .insertInto('alias_history')
      .values({
        model: input.model,
        alias: input.alias,
        from_version: current.version,
        to_version: null,
        actor: input.actor,
        at: input.now,
      })
      .execute();
    return { alias: null, from: current.version, to: null, changed: true };
  });
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

export async function aliasHistory(db: Db, model: string, alias: string) {
  return db
    .selectFrom('alias_history')
    .selectAll()
    .where('model', '=', model)
    .where('alias', '=', alias)
    .orderBy('id')
    .execute();
}

function toAlias(row: AliasRow): Alias {
  return aliasSchema.parse({
    model: row.model,
    alias: row.alias,
    version: row.version,
    updatedAt: row.updated_at,
  });
}
