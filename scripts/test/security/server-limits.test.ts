import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../lib/stack';

/**
 * Issue #16, item 10: 70 slowloris sockets held the services for 30 s and more (Fastify leaves
 * the request timeout off, Node checks header timeouts every 30 s), and one client could open
 * as many connections as it liked. Replayed against a real registry process with short limits.
 * Each case connects from its own loopback address (127.0.0.x), so the test's other
 * connections never count against the limit it measures.
 */
const HEADERS_TIMEOUT_MS = 1_500;
const MAX_PER_CLIENT = 8;
let stack: Stack;
let port: number;

beforeAll(async () => {
  stack = await startStack({
    label: 'sec-limits',
    env: {
      MLOPS_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      MLOPS_MAX_CONNECTIONS_PER_CLIENT: String(MAX_PER_CLIENT),
    },
  });
  port = Number(new URL(stack.urls.registry ?? '').port);
}, 120_000);
afterAll(() => stack?.close());

interface Probe {
  socket: net.Socket;
  /** Resolves with what the server sent before it closed the connection, and when. */
  closed: Promise<{ data: string; afterMs: number }>;
}

function connect(localAddress: string): Promise<Probe> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = net.connect({ port, host: '127.0.0.1', localAddress });
    let data = '';
    socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
    const closed = new Promise<{ data: string; afterMs: number }>((done) =>
      socket.once('close', () => done({ data, afterMs: Date.now() - started })),
    );
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

function healthz(localAddress: string, agent?: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ port, host: '127.0.0.1', localAddress, path: '/healthz', agent }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .once('error', reject);
  });
}

describe('server limits', () => {
  it('closes a slowloris connection whose headers never end within the header timeout', async () => {
    const probe = await connect('127.0.0.2');
    probe.socket.write('GET /healthz HTTP/1.1\r\nHost: registry\r\n');
    // One more header line every 200 ms: the socket is never idle, the headers never complete.
    const drip = setInterval(() => probe.socket.write(`X-Drip-${Date.now()}: 1\r\n`), 200);
    const { data, afterMs } = await probe.closed.finally(() => clearInterval(drip));
    expect(data).toMatch(/^HTTP\/1\.1 408/);
    // Before: open for 60 s or more. A generous bound, never a measurement.
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 8_000);
  }, 30_000);

  it('closes a connection that never sends a byte', async () => {
    const probe = await connect('127.0.0.5');
    const { data, afterMs } = await probe.closed;
    expect(data).toBe('');
    expect(afterMs).toBeLessThan(HEADERS_TIMEOUT_MS + 8_000);
  }, 30_000);

  it(`refuses the connection after ${MAX_PER_CLIENT} from one client while others are served`, async () => {
    const held: Probe[] = [];
    for (let i = 0; i < MAX_PER_CLIENT; i++) held.push(await connect('127.0.0.3'));
    const refused = await connect('127.0.0.3');
    const { data } = await refused.closed;
    expect(data).toBe('');
    // The held connections are served, and so is another client.
    const first = held[0];
    if (!first) throw new Error('no connection held');
    first.socket.write('GET /healthz HTTP/1.1\r\nHost: registry\r\nConnection: close\r\n\r\n');
    expect((await first.closed).data).toMatch(/^HTTP\/1\.1 200/);
    expect(await healthz('127.0.0.4')).toBe(200);
    // A slot freed is a slot for the same client again.
    expect(await healthz('127.0.0.3', new http.Agent({ keepAlive: false }))).toBe(200);
    for (const probe of held) probe.socket.destroy();
  }, 30_000);
});
