import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { redisKeys, type WebhookDelivery } from '@mlops/contracts';
import { insertWebhook } from '@mlops/storage';
import { NO_RESPONSE, parseAllowList, verifyWebhook } from '@mlops/webhooks';
import { REDIS_URL, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';

interface Received {
  body: string;
  signature: string | undefined;
  timestamp: string | undefined;
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
  // The receiver runs on loopback: allow-listed, as an operator would for a local receiver.
  ({ r, file } = await startSeededRegistry({
    webhooks: { policy: parseAllowList('127.0.0.1'), backoffMs: 10, attempts: 5 },
  }));
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
        timestamp: req.headers['x-mlops-timestamp'] as string | undefined,
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

/** The delivery log once `done` holds (retries are timers, so vi.waitFor; no timing assertion). */
function settled(id: string, done: (d: WebhookDelivery[]) => boolean): Promise<WebhookDelivery[]> {
  return vi.waitFor(
    async () => {
      await r.deps.webhooks.idle();
      const log = await deliveries(id);
      if (!done(log)) throw new Error(`deliveries of ${id} not settled: ${JSON.stringify(log)}`);
      return log;
    },
    { timeout: 20_000, interval: 25 },
  );
}

describe('webhooks', () => {
  it('delivers version.created signed with the timestamped HMAC, retrying a failing receiver with backoff', async () => {
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
    const log = await settled(hook.id, (d) =>
      d.some((x) => x.eventType === 'version.created' && x.status !== 'pending'),
    );
    const delivery = log.find((x) => x.eventType === 'version.created');
    expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 200 });

    const got = received.find((x) => x.type === 'version.created');
    expect(got).toBeDefined();
    expect(
      verifyWebhook(
        SECRET,
        { signature: got?.signature, timestamp: got?.timestamp },
        got?.body ?? '',
      ),
    ).toBe(true);
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
    const log = await settled(hook?.id ?? '', (d) =>
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
    const log = await settled(id, (d) => d.length > 0 && d.every((x) => x.status === 'failed'));
    expect(log[0]).toMatchObject({
      status: 'failed',
      attempts: 5,
      lastStatusCode: null,
      lastError: NO_RESPONSE,
    });
    const bad = await trpc(
      r.app,
      'mutation',
      'webhooks.create',
      { url: 'file:///etc/passwd', eventTypes: ['*'] },
      r.auth,
    );
    expect(bad.status).toBe(400);
  });

  it('refuses internal targets at creation, naming the field, even with loopback allow-listed', async () => {
    for (const target of [
      'http://[::1]:6379/',
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/hook',
      'http://0x7f000002:6379/',
      'http://127.0.0.2/',
    ]) {
      const res = await trpc(
        r.app,
        'mutation',
        'webhooks.create',
        { url: target, eventTypes: ['*'] },
        r.auth,
      );
      expect(res.status, target).toBe(400);
      expect(res.error?.message, target).toMatch(/^url: refused: .* address/);
    }
    const admin = await trpc(
      r.app,
      'mutation',
      'webhooks.create',
      { url, eventTypes: ['*'], secret: r.auth.authorization.slice('Bearer '.length) },
      r.auth,
    );
    expect(admin.status).toBe(400);
    expect(admin.error?.message).toMatch(/^secret: /);
  });

  it('stores secrets sealed, and seals the ones an older version stored in clear', async () => {
    const created = await trpc(
      r.app,
      'mutation',
      'webhooks.create',
      { url, eventTypes: ['run.completed'] },
      r.auth,
    );
    const { id, secret } = created.data as { id: string; secret: string };
    expect(secret).toMatch(/^whsec_/);
    await insertWebhook(r.deps.db, {
      id: 'whk_legacy',
      url,
      eventTypes: ['run.completed'],
      active: true,
      createdAt: new Date().toISOString(),
      sealedSecret: 'a-legacy-secret-in-clear',
    });
    await r.deps.webhooks.start();
    const rows = await r.deps.db.selectFrom('webhooks').selectAll().execute();
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(secret);
    expect(dump).not.toContain('a-legacy-secret-in-clear');
    expect(rows.every((row) => row.secret_sealed.startsWith('sealed:v1:'))).toBe(true);
    // Nor in the file: the row's old image is not left in free pages or the WAL (SQLite).
    for (const file of fs.readdirSync(r.dir).filter((f) => f.startsWith('registry.sqlite')))
      expect(fs.readFileSync(path.join(r.dir, file)).includes('a-legacy-secret-in-clear')).toBe(
        false,
      );
    const legacy = rows.find((row) => row.id === 'whk_legacy');
    expect(r.deps.secrets.unseal(legacy?.secret_sealed ?? '', 'webhook:whk_legacy')).toBe(
      'a-legacy-secret-in-clear',
    );
    await trpc(r.app, 'mutation', 'webhooks.delete', { id }, r.auth);
    await trpc(r.app, 'mutation', 'webhooks.delete', { id: 'whk_legacy' }, r.auth);
  });
});
