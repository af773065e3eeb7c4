import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, type WebhookDelivery } from '@mlops/contracts';
import { REDIS_URL, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

interface Received {
  body: string;
  signature: string | undefined;
  type: string | undefined;
}

let r: TestRegistry;
let file: { sha256: string; size: number };
let receiver: http.Server;
let url: string;
const received: Received[] = [];
/** The receiver answers 500 this many times before accepting (to exercise the retries). */
let failuresLeft = 0;
const SECRET = 'a-webhook-secret-of-some-length';

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failuresLeft > 0) {
        failuresLeft -= 1;
        res.statusCode = 500;
        res.end();
        return;
      }
      received.push({
        body: Buffer.concat(chunks).toString('utf8'),
        signature: req.headers['x-mlops-signature'] as string | undefined,
        type: req.headers['x-mlops-event'] as string | undefined,
      });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});
afterAll(async () => {
  await r.close();
  await new Promise((resolve) => receiver.close(resolve));
});

async function deliveries(id: string): Promise<WebhookDelivery[]> {
  return (await trpc(r.app, 'query', 'webhooks.deliveries', { id }, r.auth))
    .data as WebhookDelivery[];
}

/** Poll the delivery log until `done` (retries are timers; no timing assertion). */
async function until(
  id: string,
  done: (d: WebhookDelivery[]) => boolean,
): Promise<WebhookDelivery[]> {
  for (let i = 0; i < 400; i++) {
    await r.deps.webhooks.idle();
    const log = await deliveries(id);
    if (done(log)) return log;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return deliveries(id);
}

describe('webhooks', () => {
  it('delivers version.created signed with HMAC-SHA256, retrying a failing receiver with backoff', async () => {
    const created = await trpc(
      r.app,
      'mutation',
      'webhooks.create',
      { url, eventTypes: ['version.created', 'alias.moved', 'drift.detected'], secret: SECRET },
      r.auth,
    );
    expect(created.status).toBe(200);
    const hook = created.data as { id: string };
    const listed = await trpc(r.app, 'query', 'webhooks.list', {}, r.auth);
    expect(JSON.stringify(listed.data)).not.toContain(SECRET);

    failuresLeft = 2;
    await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: 'hooked', manifest: manifestWith(file) },
      r.auth,
    );
    const log = await until(hook.id, (d) =>
      d.some((x) => x.eventType === 'version.created' && x.status !== 'pending'),
    );
    const delivery = log.find((x) => x.eventType === 'version.created');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });

    const got = received.find((x) => x.type === 'version.created');
    expect(got).toBeDefined();
    const expected = `sha256=${createHmac('sha256', SECRET)
      .update(got?.body ?? '')
      .digest('hex')}`;
    expect(got?.signature).toBe(expected);
    expect(JSON.parse(got?.body ?? '{}')).toMatchObject({
      type: 'version.created',
      model: 'hooked',
      version: 1,
    });
  });

  it('fires for events other apps publish on the channel (drift.detected), once', async () => {
    const hook = (
      (await trpc(r.app, 'query', 'webhooks.list', {}, r.auth)).data as Array<{ id: string }>
    )[0];
    const pub = new Redis(REDIS_URL);
    const event = {
      id: 'drift-event-0001',
      at: new Date().toISOString(),
      type: 'drift.detected',
      model: 'hooked',
      version: 1,
      driftedColumns: ['sepal_length'],
      share: 1,
    };
    try {
      await pub.publish(redisKeys(r.prefix).events, JSON.stringify(event));
      await pub.publish(redisKeys(r.prefix).events, JSON.stringify(event));
    } finally {
      pub.disconnect();
    }
    const log = await until(hook?.id ?? '', (d) =>
      d.some((x) => x.eventId === event.id && x.status === 'delivered'),
    );
    expect(log.filter((x) => x.eventId === event.id)).toHaveLength(1);
  });

  it('gives up after the last attempt and records why; refuses non-http URLs', async () => {
    const dead = await trpc(
      r.app,
      'mutation',
      'webhooks.create',
      { url: 'http://127.0.0.1:1/nothing', eventTypes: ['*'] },
      r.auth,
    );
    const id = (dead.data as { id: string }).id;
    await trpc(
      r.app,
      'mutation',
      'aliases.set',
      { model: 'hooked', alias: 'champion', version: 1 },
      r.auth,
    );
    const log = await until(id, (d) => d.length > 0 && d.every((x) => x.status === 'failed'));
    expect(log[0]).toMatchObject({ status: 'failed', attempts: 5, lastStatusCode: null });
    expect(log[0]?.lastError).toBeTruthy();
    const bad = await trpc(
      r.app,
      'mutation',
      'webhooks.create',
      { url: 'file:///etc/passwd', eventTypes: ['*'] },
      r.auth,
    );
    expect(bad.status).toBe(400);
  });
});
