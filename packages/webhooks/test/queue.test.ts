import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { createLogger } from '@mlops/config';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  parseAllowList,
  verifyWebhook,
  WebhookQueue,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type AttemptReport,
  type WebhookQueueOptions,
} from '../src/index';
import { closedPort, startReceiver } from './receivers';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-webhooks-${randomBytes(4).toString('hex')}`;
const SECRET = 'the-hooks-own-secret-0123456789';
const logger = createLogger('webhooks-test', 'silent');

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

function queueTo(url: string, reports: AttemptReport[], over: Partial<WebhookQueueOptions> = {}) {
  return new WebhookQueue({
    name: 'webhooks',
    redisUrl: REDIS_URL,
    bullPrefix: `${prefix}:bull`,
    policy: parseAllowList('127.0.0.1'),
    attempts: 20,
    backoffMs: 100,
    timeoutMs: 2_000,
    logger,
    target: (id) => Promise.resolve(id === 'w1' ? { url, secret: SECRET } : undefined),
    onAttempt: (r) => {
      reports.push(r);
    },
    ...over,
  });
}

/** Until `done` holds: retries run on timers (vi.waitFor; no timing assertion). */
const until = (done: () => boolean) =>
  vi.waitFor(() => expect(done()).toBe(true), { timeout: 30_000, interval: 50 });

describe('WebhookQueue', () => {
  it('keeps a pending delivery across a restart and delivers it, signed, when the receiver is back', async () => {
    const port = await closedPort();
    const url = `http://127.0.0.1:${port}/hook`;
    const before: AttemptReport[] = [];
    const first = queueTo(url, before);
    first.start();
    await first.enqueue({
      deliveryId: 'w1:e1',
      targetId: 'w1',
      eventType: 'alias.moved',
      body: '{"id":"e1"}',
    });
    await until(() => before.length >= 1);
    await first.close();
    expect(before[0]).toMatchObject({ willRetry: true, outcome: { ok: false } });

    // A new process: its queue resumes what the first one left in Redis.
    const receiver = await startReceiver(undefined, { port });
    const after: AttemptReport[] = [];
    const second = queueTo(url, after);
    second.start();
    await until(() => receiver.hits.length >= 1 && after.some((r) => r.outcome.ok));
    await second.close();
    await receiver.close();
    expect(receiver.hits).toHaveLength(1);
    const hit = receiver.hits[0]!;
    expect(hit.body).toBe('{"id":"e1"}');
    expect(
      verifyWebhook(
        SECRET,
        {
          signature: hit.headers[SIGNATURE_HEADER] as string,
          timestamp: hit.headers[TIMESTAMP_HEADER] as string,
        },
        hit.body,
      ),
    ).toBe(true);
  });

  it('gives up at once on a redirect and on a deleted webhook', async () => {
    const other = await startReceiver();
    const redirecting = await startReceiver((res) => {
      res.writeHead(307, { location: `${other.url}/x` });
      res.end();
    });
    const reports: AttemptReport[] = [];
    const q = queueTo(`${redirecting.url}/hook`, reports);
    q.start();
    await q.enqueue({ deliveryId: 'w1:e2', targetId: 'w1', eventType: 't', body: '{}' });
    await q.enqueue({ deliveryId: 'gone:e2', targetId: 'gone', eventType: 't', body: '{}' });
    await until(() => reports.length >= 2);
    await new Promise((r) => setTimeout(r, 500));
    await q.close();
    await Promise.all([other.close(), redirecting.close()]);
    expect(reports).toHaveLength(2);
    const byTarget = (id: string) => reports.find((r) => r.job.targetId === id);
    expect(byTarget('w1')).toMatchObject({
      willRetry: false,
      outcome: { ok: false, statusCode: 307 },
    });
    expect(byTarget('gone')).toMatchObject({
      willRetry: false,
      outcome: { ok: false, error: 'the webhook no longer exists or is inactive' },
    });
    expect(redirecting.hits).toHaveLength(1);
    expect(other.hits).toHaveLength(0);
  });

  it('reports a target whose secret does not open instead of leaving the delivery pending', async () => {
    const reports: AttemptReport[] = [];
    const q = queueTo('http://127.0.0.1:9/', reports, {
      attempts: 2,
      backoffMs: 10,
      target: () => Promise.reject(new Error('a sealed secret does not open with this key')),
    });
    q.start();
    await q.enqueue({ deliveryId: 'w1:e3', targetId: 'w1', eventType: 't', body: '{}' });
    await until(() => reports.length >= 2);
    await q.close();
    expect(reports.map((r) => r.willRetry)).toEqual([true, false]);
    expect(reports[1]?.outcome).toMatchObject({
      ok: false,
      error: 'could not prepare the delivery: a sealed secret does not open with this key',
    });
  });
});
