import { createHash, timingSafeEqual } from 'node:crypto';
import { AppError } from '@mlops/contracts';

/**
 * Check an `Authorization: Bearer …` header against the admin token in constant time. Both
 * sides are hashed first so the comparison does not leak the token's length either.
 */
export function checkBearer(header: string | undefined, token: string): void {
  if (!header) {
    throw new AppError(
      'UNAUTHORIZED',
      'missing bearer token: send "Authorization: Bearer <MLOPS_TOKEN>"',
    );
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const given = match?.[1] ?? '';
  if (!timingSafeEqual(digest(given), digest(token))) {
    throw new AppError(
      'UNAUTHORIZED',
      'invalid bearer token: check MLOPS_TOKEN (or the admin-token file of the data directory)',
    );
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
