import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys, type WebhookDelivery } from '@mlops/contracts';
import { NO_RESPONSE, verifyWebhook, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '@mlops/webhooks';
import { freePort } from '../../lib/ports';
import { REPO_ROOT } from '../../lib/services';
import { startStack, type Stack } from '../../lib/stack';
import { waitFor } from '../../lib/wait';

/**
 * Issue #16, item 7: admin-created webhooks reached any loopback port, followed a 307 with the
 * signed body replayed, and their delivery log told open ports from closed ones; item 10: their
 * secrets sat in clear in the database. Replayed against a real registry process. Only
 * 127.0.0.2 is allow-listed (a receiver an operator runs on purpose), so 127.0.0.1 — where every
 * service of the platform listens — stays refused.
 */
const RECEIVER_HOST = '127.0.0.2';
let stack: Stack;

beforeAll(async () => {
  stack = await startStack({
    label: 'sec-webhooks',
    env: {
      MLOPS_WEBHOOK_ALLOW_HOSTS: RECEIVER_HOST,
      MLOPS_WEBHOOK_TIMEOUT_MS: '2000',
      MLOPS_WEBHOOK_ATTEMPTS: '20',
      MLOPS_WEBHOOK_BACKOFF_MS: '300',
    },
  });
}, 120_000);
afterAll(() => stack?.close());

interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
}

async function receiver(
  answer: (res: http.ServerResponse) => void,
  port = 0,
): Promise<{ url: string; port: number; hits: Hit[]; close(): Promise<void> }> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hits.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(port, RECEIVER_HOST, resolve));
  const bound = (server.address() as { port: number }).port;
  return {
    url: `http://${RECEIVER_HOST}:${bound}`,
    port: bound,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** webhooks.create over plain HTTP, as an admin's script would call it. */
async function create(url: string, eventTypes = ['*']) {
  const res = await fetch(`${stack.urls.registry}/trpc/webhooks.create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ url, eventTypes }),
  });
  const body = (await res.json()) as {
    result?: { data: { id: string; secret: string } };
    error?: { message: string };
  };
  return { status: res.status, hook: body.result?.data, message: body.error?.message ?? '' };
}

/** A platform event on the deployment's channel: the registry mirrors it to its webhooks. */
async function publishEvent(type: string): Promise<string> {
  const id = `evt-${Math.random().toString(36).slice(2)}`;
  const redis = new Redis(stack.redisUrl);
  try {
    await redis.publish(
      redisKeys(stack.prefix).events,
      JSON.stringify({
        id,
        at: new Date().toISOString(),
        type,
        model: 'iris',
        version: 1,
        driftedColumns: ['sepal_length'],
        share: 1,
      }),
    );
  } finally {
    redis.disconnect();
  }
  return id;
}

async function deliveryOf(hookId: string, eventId: string): Promise<WebhookDelivery | undefined> {
  const log = await stack.admin.api.webhooks.deliveries.query({ id: hookId });
  return log.find((d) => d.eventId === eventId);
}

describe('webhook targets (real registry process)', () => {
  it('refuses loopback, link-local, private and metadata targets, however spelled, with a 400 naming url', async () => {
    const port = await freePort();
    for (const target of [
      `http://127.0.0.1:${port}/hook`,
      `http://[::1]:${port}/hook`,
      'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://10.0.0.7:9000/minio',
      `http://0x7f000001:${port}/hook`,
      'http://2130706433:6379/',
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://localhost:${port}/hook`,
    ]) {
      const res = await create(target);
      expect(res.status, target).toBe(400);
      expect(res.message, target).toMatch(/^url: refused: /);
    }
    expect(await stack.admin.api.webhooks.list.query()).toEqual([]);
  });

  it('delivers to an allow-listed receiver, signed with the webhook’s own secret and a timestamp', async () => {
    const r = await receiver((res) => res.end('ok'));
    try {
      const { hook } = await create(`${r.url}/hook`, ['drift.detected']);
      expect(hook?.secret).toMatch(/^whsec_/);
      expect(hook?.secret).not.toBe(stack.adminToken);
      const eventId = await publishEvent('drift.detected');
      await waitFor('the delivery', async () =>
        (await deliveryOf(hook!.id, eventId))?.status === 'delivered' ? true : undefined,
      );
      const hit = r.hits.find((h) => h.body.includes(eventId))!;
      const headers = {
        signature: hit.headers[SIGNATURE_HEADER] as string,
        timestamp: hit.headers[TIMESTAMP_HEADER] as string,
      };
      expect(verifyWebhook(hook!.secret, headers, hit.body)).toBe(true);
      expect(verifyWebhook(stack.adminToken, headers, hit.body)).toBe(false);
      await stack.admin.api.webhooks.delete.mutate({ id: hook!.id });
    } finally {
      await r.close();
    }
  });

  it('does not follow a 307: the server it points to gets no request, the delivery fails', async () => {
    const second = await receiver((res) => res.end('stolen'));
    const first = await receiver((res) => {
      res.writeHead(307, { location: `${second.url}/steal` });
      res.end();
    });
    try {
      const { hook } = await create(`${first.url}/hook`, ['drift.detected']);
      const eventId = await publishEvent('drift.detected');
      const done = await waitFor('the delivery to fail', async () => {
        const d = await deliveryOf(hook!.id, eventId);
        return d?.status === 'failed' ? d : undefined;
      });
      expect(done).toMatchObject({ attempts: 1, lastStatusCode: 307 });
      expect(first.hits).toHaveLength(1);
      expect(second.hits).toHaveLength(0);
      await stack.admin.api.webhooks.delete.mutate({ id: hook!.id });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });

  it('keeps a pending delivery across a registry restart and delivers it once the receiver is up', async () => {
    const port = await freePort();
    const url = `http://${RECEIVER_HOST}:${port}/hook`;
    const { hook } = await create(url, ['drift.detected']);
    const eventId = await publishEvent('drift.detected');
    const pending = await waitFor('a failed first attempt', async () => {
      const d = await deliveryOf(hook!.id, eventId);
      return d && d.attempts >= 1 ? d : undefined;
    });
    // Receiver down: the log says so without telling a closed port from anything else.
    expect(pending).toMatchObject({
      status: 'pending',
      lastStatusCode: null,
      lastError: NO_RESPONSE,
    });

    const registry = stack.services.registry!;
    await stack.supervisor.stopAll();
    expect(registry.child.exitCode ?? registry.child.signalCode).not.toBeNull();
    stack.services.registry = await stack.supervisor.start({
      name: 'registry',
      port: Number(new URL(stack.urls.registry!).port),
      env: {
        MLOPS_DATA_DIR: stack.dataDir,
        REDIS_URL: stack.redisUrl,
        MLOPS_REDIS_PREFIX: stack.prefix,
        MLOPS_TOKEN: stack.adminToken,
        LOG_LEVEL: 'info',
        MLOPS_WEBHOOK_ALLOW_HOSTS: RECEIVER_HOST,
        MLOPS_WEBHOOK_TIMEOUT_MS: '2000',
        MLOPS_WEBHOOK_ATTEMPTS: '20',
        MLOPS_WEBHOOK_BACKOFF_MS: '300',
      },
    });
    const r = await receiver((res) => res.end('ok'), port);
    try {
      const delivered = await waitFor(
        'the delivery after the restart',
        async () => {
          const d = await deliveryOf(hook!.id, eventId);
          return d?.status === 'delivered' ? d : undefined;
        },
        { timeoutMs: 60_000, intervalMs: 250 },
      );
      expect(delivered.attempts).toBeGreaterThan(pending.attempts);
      expect(r.hits.filter((h) => h.body.includes(eventId))).toHaveLength(1);
    } finally {
      await r.close();
    }
  }, 120_000);

  it('keeps no webhook secret in clear in the database files', async () => {
    const r = await receiver((res) => res.end('ok'));
    try {
      const { hook } = await create(`${r.url}/hook`, ['drift.detected']);
      const files = fs
        .readdirSync(stack.dataDir)
        .filter((f) => f.startsWith('registry.sqlite'))
        .map((f) => path.join(stack.dataDir, f));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const bytes = fs.readFileSync(file);
        expect(bytes.includes(hook!.secret), file).toBe(false);
        expect(bytes.includes(hook!.secret.slice('whsec_'.length)), file).toBe(false);
      }
      expect(fs.statSync(path.join(stack.dataDir, 'secret-key')).mode & 0o777).toBe(0o600);
    } finally {
      await r.close();
    }
  });

  it('stops the monitor at start when its alert webhook points at loopback', async () => {
    const port = await freePort();
    const monitor = spawn(process.execPath, ['--import', 'tsx', 'apps/monitor/src/server.ts'], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        MLOPS_DATA_DIR: stack.dataDir,
        REDIS_URL: stack.redisUrl,
        MLOPS_REDIS_PREFIX: stack.prefix,
        REGISTRY_URL: stack.urls.registry!,
        MLOPS_TOKEN: stack.tokenOf('monitor'),
        MONITOR_PORT: String(await freePort()),
        HOST: '127.0.0.1',
        MONITOR_ALERT_WEBHOOK_URL: `http://0x7f000001:${port}/alerts`,
        MONITOR_ALERT_WEBHOOK_SECRET: 'the-alert-webhooks-own-secret',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    monitor.stdout.on('data', (c: Buffer) => (output += c.toString()));
    monitor.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const timer = setTimeout(() => monitor.kill('SIGKILL'), 60_000);
    const code = await new Promise<number | null>((resolve) => monitor.once('exit', resolve));
    clearTimeout(timer);
    expect(code).not.toBe(0);
    expect(output).toMatch(/MONITOR_ALERT_WEBHOOK_URL: refused: loopback address/);
  }, 90_000);
});
