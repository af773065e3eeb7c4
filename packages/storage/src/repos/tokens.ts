import { createHash } from 'node:crypto';
import { apiTokenSchema, type ApiToken, type TokenScope } from '@mlops/contracts';
import type { Db } from '../db/connection';
import type { ApiTokenRow } from '../db/tables/governance';
import { parseJsonColumn } from './json';

/** Tokens are looked up by their sha256: a leaked database does not leak usable tokens. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function insertToken(
  db: Db,
  input: {
    id: string;
    name: string;
    token: string;
    scopes: TokenScope[];
    createdBy: string;
    now: string;
  },
): Promise<ApiToken> {
  const row = await db
    .insertInto('api_tokens')
    .values({
      id: input.id,
      name: input.name,
      token_hash: hashToken(input.token),
      scopes_json: JSON.stringify(input.scopes),
      created_by: input.createdBy,
      created_at: input.now,
      revoked_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toToken(row);
}

/** The live (not revoked) token with this secret, if any. */
export async function findTokenBySecret(db: Db, token: string): Promise<ApiToken | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return row ? toToken(row) : undefined;
}

export async function listTokens(db: Db): Promise<ApiToken[]> {
  const rows = await db
    .selectFrom('api_tokens')
    .selectAll()
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(toToken);
}

export async function revokeToken(db: Db, id: string, now: string): Promise<boolean> {
  const res = await db
    .updateTable('api_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

function toToken(row: ApiTokenRow): ApiToken {
  return apiTokenSchema.parse({
    id: row.id,
    name: row.name,
    scopes: parseJsonColumn(apiTokenSchema.shape.scopes, row.scopes_json, 'token scopes'),
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  });
}
