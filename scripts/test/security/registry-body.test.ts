import fs from 'node:fs';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../lib/stack';

/**
 * Issue #16, item 3: tRPC bodies were read and parsed before the token was checked, so 20
 * anonymous 60 MiB POSTs took the registry from ~210 MB to ~1.3 GB of RSS. Replayed against
 * the registry process: every such request is refused (401, or 413 past the JSON limit)
 * and the process's resident memory stays within a bound.
 */
const BODY_BYTES = 60 * 1024 ** 2;
const REQUESTS = 20;
const BATCH = 5;
const RSS_BOUND_BYTES = 150 * 1024 ** 2;

let stack: Stack;

beforeAll(async () => {
  stack = await startStack({ label: 'sec-body' });
}, 120_000);
afterAll(() => stack?.close());

/** VmRSS of a process, in bytes. */
function rssOf(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status)?.[1];
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb) * 1024;
}

/**
 * POST `bytes` of JSON filler (spaces) to `path`, streamed 1 MiB at a time with backpressure;
 * as soon as the answer is in, stop sending and drop the connection. Resolves the status.
 */
function postLarge(
  base: string,
  path: string,
  bytes: number,
  headers: Record<string, string> = {},
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const chunk = Buffer.alloc(1024 ** 2, 0x20);
    let answered = false;
    const req = http.request(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': bytes, ...headers },
    });
    req.on('response', (res) => {
      answered = true;
      res.resume();
      resolve(res.statusCode ?? 0);
      req.destroy();
    });
    req.on('error', (err) => {
      if (!answered) reject(err);
    });
    let sent = 0;
    const write = (): void => {
      while (sent < bytes && !answered) {
        sent += chunk.length;
        if (!req.write(chunk)) {
          req.once('drain', write);
          return;
        }
      }
      if (!answered) req.end();
    };
    write();
  });
}

describe('oversized anonymous bodies', () => {
  it('are refused before they are read: 401 each, and the registry RSS stays bounded', async () => {
    const base = stack.urls.registry ?? '';
    const pid = stack.services.registry?.child.pid ?? -1;
    // Warm up the routes once so lazily built code is not counted as growth.
    expect(await postLarge(base, '/trpc/artifacts.gc', 1024)).toBe(401);
    const before = rssOf(pid);

    const targets = [
      '/trpc/artifacts.gc',
      '/trpc/versions.create',
      '/trpc/runs.create,aliases.set?batch=1',
      '/trpc/datasets.list',
      '/trpc/no.such.procedure',
    ];
    const statuses: number[] = [];
    let peak = before;
    for (let i = 0; i < REQUESTS; i += BATCH) {
      const batch = Array.from({ length: BATCH }, (_, j) =>
        postLarge(base, targets[(i + j) % targets.length] ?? '', BODY_BYTES),
      );
      statuses.push(...(await Promise.all(batch)));
      peak = Math.max(peak, rssOf(pid));
    }

    const growth = Math.max(peak, rssOf(pid)) - before;
    expect(growth, `RSS grew by ${Math.round(growth / 1024 ** 2)} MB`).toBeLessThan(
      RSS_BOUND_BYTES,
    );
    expect(statuses).toHaveLength(REQUESTS);
    for (const status of statuses) expect([401, 413]).toContain(status);
    // And it still answers.
    expect((await fetch(`${base}/healthz`)).ok).toBe(true);
  }, 120_000);

  it('a token without the scope is refused the same way (403), before the body', async () => {
    const base = stack.urls.registry ?? '';
    const { token } = await stack.admin.api.tokens.create.mutate({
      name: 'predict-only',
      scopes: ['predict'],
    });
    const status = await postLarge(base, '/trpc/artifacts.gc', BODY_BYTES, {
      authorization: `Bearer ${token}`,
    });
    expect(status).toBe(403);
  }, 60_000);
});
