/** What deleting keys by pattern needs of a connection: any ioredis `Redis` fits. */
export interface ScanningRedis {
  scan(
    cursor: string,
    match: 'MATCH',
    pattern: string,
    count: 'COUNT',
    n: number,
  ): Promise<[string, string[]]>;
  unlink(...keys: string[]): Promise<number>;
}

/**
 * Delete every key matching `pattern` (e.g. `${prefix}:*`) with SCAN + UNLINK: never KEYS, which
 * blocks a shared Redis. How tests and the demo remove their own prefix and nothing else.
 */
export async function deleteRedisKeys(conn: ScanningRedis, pattern: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await conn.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await conn.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
