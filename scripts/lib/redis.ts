import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from './ports';
import { waitFor } from './wait';
import { deleteRedisKeys } from '@mlops/config';

export interface RedisHandle {
  url: string;
  /** True when this process started a redis-server that `stop` will end. */
  started: boolean;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1_000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * Redis for the embedded defaults: `REDIS_URL` (or the default local port) when it answers,
 * else a throwaway `redis-server` (no persistence) on a free port when one is installed.
 */
export async function ensureRedis(
  url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
): Promise<RedisHandle> {
  if (await answers(url)) return { url, started: false, stop: () => Promise.resolve() };
  if (!redisServerInstalled()) {
    throw new Error(
      `No Redis answers at ${url} and redis-server is not installed.\n` +
        `  Start one (e.g. "apt-get install redis-server" or "docker run -p 6379:6379 redis:7") ` +
        `or set REDIS_URL to a Redis you can use.`,
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const ownUrl = `redis://127.0.0.1:${port}`;
  await waitFor(
    'the redis-server we started',
    async () => ((await answers(ownUrl)) ? true : undefined),
    {
      timeoutMs: 10_000,
    },
  );
  return {
    url: ownUrl,
    started: true,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Remove every key under a prefix (the demo's isolation on a shared Redis). */
export async function deletePrefix(url: string, prefix: string): Promise<void> {
  const client = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    await deleteRedisKeys(client, `${prefix}:*`);
  } finally {
    client.disconnect();
  }
}
