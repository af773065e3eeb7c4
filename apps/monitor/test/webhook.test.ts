import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { platformEventSchema, redisKeys } from '@mlops/contracts';
import { createLogger } from '@mlops/config';
import { parseAllowList, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@mlops/webhooks';
import { alertWebhookOf } from '../src/alert-webhook-config';
import { loadEnv } from '../src/env';
import { AlertWebhook } from '../src/webhook';

const prefix = `test-${randomUUID()}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('webhook-test', 'silent');
const SECRET = 'the-alert-hooks-own-secret';

afterAll(async () => {
  const redis = new Redis(REDIS_URL);
  const found = await redis.keys(`${prefix}:*`);
  if (found.length > 0) await redis.del(...found);
  await redis.quit();
});

const event = platformEventSchema.parse({
  type: 'drift.detected',
  id: randomUUID(),
  at: new Date().toISOString(),
  model: 'iris',
  version: 1,
  driftedColumns: ['x'],
  share: 1,
});

async function listen(
  handler: http.RequestListener,
): Promise<{ server: http.Server; url: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('alert webhook', () => {
  it('POSTs JSON with the shared timestamped signature and retries after a 5xx', async () => {
    const received: Array<{ signature: string; timestamp: string; body: string }> = [];
    let calls = 0;
    const { server, url } = await listen((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        calls++;
        received.push({
          signature: String(req.headers[SIGNATURE_HEADER]),
          timestamp: String(req.headers[TIMESTAMP_HEADER]),
          body,
        });
        res.statusCode = calls === 1 ? 503 : 204;
        res.end();
      });
    });
    const results: boolean[] = [];
    const hook = new AlertWebhook({
      url: `${url}/hook`,
      secret: SECRET,
      redisUrl: REDIS_URL,
      bullPrefix: redisKeys(prefix).bullPrefix,
      policy: parseAllowList('127.0.0.1'),
      backoffMs: 10,
      logger,
      onResult: (ok) => results.push(ok),
    });
    hook.send(event);
    for (let i = 0; i < 400 && results.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await hook.drain();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(calls).toBe(2);
    expect(results).toEqual([true]);
    const last = received[1]!;
    expect(JSON.parse(last.body)).toEqual(event);
    expect(verifyWebhook(SECRET, last, last.body)).toBe(true);
  });

  it('stops the monitor at start for a loopback URL, a missing secret or the platform token', async () => {
    const base = {
      MONITOR_ALERT_WEBHOOK_URL: 'http://127.0.0.1:6379/',
      MONITOR_ALERT_WEBHOOK_SECRET: SECRET,
    };
    await expect(alertWebhookOf(loadEnv(base), undefined)).rejects.toThrow(
      /^MONITOR_ALERT_WEBHOOK_URL: refused: loopback address/,
    );
    await expect(
      alertWebhookOf(
        loadEnv({ ...base, MONITOR_ALERT_WEBHOOK_URL: 'http://169.254.169.254/latest/' }),
        undefined,
      ),
    ).rejects.toThrow(/link-local/);
    await expect(
      alertWebhookOf(loadEnv({ MONITOR_ALERT_WEBHOOK_URL: base.MONITOR_ALERT_WEBHOOK_URL }), 'x'),
    ).rejects.toThrow(/needs MONITOR_ALERT_WEBHOOK_SECRET/);
    await expect(
      alertWebhookOf(loadEnv({ ...base, MLOPS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }), SECRET),
    ).rejects.toThrow(/not MLOPS_TOKEN/);
    const ok = await alertWebhookOf(
      loadEnv({ ...base, MLOPS_WEBHOOK_ALLOW_HOSTS: '127.0.0.1' }),
      'mlops_svc_monitor_x',
    );
    expect(ok).toMatchObject({ url: base.MONITOR_ALERT_WEBHOOK_URL, secret: SECRET });
    expect(() => loadEnv({ MLOPS_WEBHOOK_ALLOW_HOSTS: '10.0.0.0/40' })).toThrow(
      /MLOPS_WEBHOOK_ALLOW_HOSTS/,
    );
  });

  it('does not follow a redirect: the second server gets nothing', async () => {
    let secondHits = 0;
    const second = await listen((_req, res) => {
      secondHits++;
      res.end();
    });
    const first = await listen((_req, res) => {
      res.writeHead(307, { location: `${second.url}/steal` });
      res.end();
    });
    const results: boolean[] = [];
    const hook = new AlertWebhook({
      url: `${first.url}/hook`,
      secret: SECRET,
      redisUrl: REDIS_URL,
      bullPrefix: redisKeys(prefix).bullPrefix,
      policy: parseAllowList('127.0.0.1'),
      backoffMs: 10,
      logger,
      onResult: (ok) => results.push(ok),
    });
    hook.send({ ...event, id: randomUUID() });
    for (let i = 0; i < 400 && results.length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    await hook.drain();
    await Promise.all(
      [first, second].map(({ server }) => new Promise((resolve) => server.close(resolve))),
    );
    expect(results).toEqual([false]);
    expect(secondHits).toBe(0);
  });
});
