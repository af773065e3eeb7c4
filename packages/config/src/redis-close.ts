/**
 * Closing Redis connections without an unhandled rejection. ioredis rejects the commands still
 * pending on a connection that is cut mid-handshake ("Connection is closed"), in the background,
 * where nobody awaits them — seen when a short-lived process closes right after it started. So:
 * let the handshake settle, QUIT (which waits for pending replies), and cut only a connection
 * that cannot answer within a bound.
 *
 * Typed structurally so this package needs no ioredis: any ioredis `Redis` fits.
 */
export interface ClosableRedis {
  readonly status: string;
  quit(): Promise<unknown>;
  disconnect(): void;
  once(event: 'ready' | 'end', listener: () => void): unknown;
}

/** Resolves once a connection is ready or has given up, or after `ms` (never rejects). */
export function redisSettled(conn: ClosableRedis, ms = 2_000): Promise<void> {
  if (conn.status === 'ready' || conn.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(done, ms);
    conn.once('ready', done);
    conn.once('end', done);
  });
}

/** QUIT within `ms`; a connection that cannot answer in time (or fails) is cut instead. */
export async function closeRedis(conn: ClosableRedis, ms = 2_000): Promise<void> {
  if (conn.status === 'end') return;
  await redisSettled(conn, ms);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), ms);
  });
  const result = await Promise.race([conn.quit().catch(() => 'failed' as const), timeout]);
  clearTimeout(timer);
  if (result !== 'OK') conn.disconnect();
}
