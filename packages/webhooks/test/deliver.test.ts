import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  deliver,
  DENY_ALL_PRIVATE,
  NO_RESPONSE,
  parseAllowList,
  signedHeaders,
  verifyWebhook,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  type Resolve,
} from '../src/index';
import { closedPort, startReceiver, type Receiver } from './receivers';

const LOOPBACK_OK = parseAllowList('127.0.0.1');
const opts = { policy: LOOPBACK_OK, timeoutMs: 2_000, maxResponseBytes: 1024 };
const open: Receiver[] = [];
async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  open.push(r);
  return r;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});

describe('deliver', () => {
  it('refuses a loopback target that is not allow-listed, without connecting', async () => {
    const r = await receiver();
    const out = await deliver(`${r.url}/hook`, '{}', {}, { ...opts, policy: DENY_ALL_PRIVATE });
    expect(out).toEqual({
      ok: false,
      statusCode: null,
      retryable: false,
      error: 'refused: loopback address',
    });
    expect(r.hits).toHaveLength(0);
  });

  it('delivers a body a receiver can verify with the shared secret', async () => {
    const r = await receiver();
    const body = JSON.stringify({ type: 'alias.moved', id: 'e1' });
    const out = await deliver(
      `${r.url}/hook?x=1`,
      body,
      signedHeaders('s3cret-s3cret-s3cret', body, {}),
      opts,
    );
    expect(out).toEqual({ ok: true, statusCode: 200 });
    const hit = r.hits[0]!;
    expect(hit.url).toBe('/hook?x=1');
    const headers = {
      signature: hit.headers[SIGNATURE_HEADER] as string,
      timestamp: hit.headers[TIMESTAMP_HEADER] as string,
    };
    expect(verifyWebhook('s3cret-s3cret-s3cret', headers, hit.body)).toBe(true);
    expect(verifyWebhook('another-secret-entirely', headers, hit.body)).toBe(false);
    expect(verifyWebhook('s3cret-s3cret-s3cret', headers, hit.body + ' ')).toBe(false);
    expect(
      verifyWebhook('s3cret-s3cret-s3cret', headers, hit.body, { now: Date.now() + 600_000 }),
    ).toBe(false);
  });

  it('never follows a redirect: the second server gets nothing, the delivery fails for good', async () => {
    const second = await receiver();
    const first = await receiver((res) => {
      res.writeHead(307, { location: `${second.url}/steal` });
      res.end();
    });
    const out = await deliver(`${first.url}/hook`, '{"a":1}', {}, opts);
    expect(out).toMatchObject({ ok: false, statusCode: 307, retryable: false });
    expect(first.hits).toHaveLength(1);
    expect(second.hits).toHaveLength(0);
  });

  it('reports a closed port, a silent server and a non-HTTP service the same way', async () => {
    const closed = await closedPort();
    const silent = await receiver(() => undefined);
    const tcp = http.createServer();
    tcp.on('connection', (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'));
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    const tcpPort = (tcp.address() as AddressInfo).port;
    const fast = { ...opts, timeoutMs: 300 };
    const outs = await Promise.all([
      deliver(`http://127.0.0.1:${closed}/`, '{}', {}, fast),
      deliver(`${silent.url}/`, '{}', {}, fast),
      deliver(`http://127.0.0.1:${tcpPort}/`, '{}', {}, fast),
    ]);
    await new Promise((resolve) => tcp.close(resolve));
    for (const out of outs)
      expect(out).toEqual({ ok: false, statusCode: null, retryable: true, error: NO_RESPONSE });
  });

  it('stops reading an endless response at the size bound', async () => {
    const r = await receiver((res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      const pump = () => {
        while (res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    const out = await deliver(`${r.url}/`, '{}', {}, { ...opts, timeoutMs: 30_000 });
    expect(out).toEqual({ ok: true, statusCode: 200 });
  });

  it('connects to the address it checked, never resolving the name a second time', async () => {
    // DNS rebinding: checked as 127.0.0.1 (allow-listed), 127.0.0.2 on any later lookup.
    const allowed = await receiver();
    const other = await receiver(undefined, { host: '127.0.0.2', port: allowed.port });
    let lookups = 0;
    const rebinding: Resolve = () => {
      lookups += 1;
      const address = lookups === 1 ? '127.0.0.1' : '127.0.0.2';
      return Promise.resolve([{ address, family: 4 }]);
    };
    const out = await deliver(
      `http://rebind.test:${allowed.port}/`,
      '{}',
      {},
      {
        ...opts,
        resolve: rebinding,
      },
    );
    expect(out).toEqual({ ok: true, statusCode: 200 });
    expect(lookups).toBe(1);
    expect(allowed.hits).toHaveLength(1);
    expect(allowed.hits[0]?.headers.host).toBe(`rebind.test:${allowed.port}`);
    expect(other.hits).toHaveLength(0);
  });

  it('bounds a name lookup that never answers by the attempt timeout, and retries it later', async () => {
    const never: Resolve = () => new Promise(() => undefined);
    const out = await deliver(
      'http://slow.test/',
      '{}',
      {},
      {
        ...opts,
        timeoutMs: 200,
        resolve: never,
      },
    );
    expect(out).toEqual({
      ok: false,
      statusCode: null,
      retryable: true,
      error: 'refused: host could not be resolved in time',
    });
  });
});
