import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../../lib/stack';

/**
 * Issue #16 item 1 against the processes `npm start` runs: the dashboard server used to be an
 * open proxy (`GET /registry//127.0.0.1:<port>/steal` answered 200 with an unrelated service's
 * body, the caller's Authorization forwarded to it). A decoy on another port counts every TCP
 * contact; no path, encoding or method may reach it. Item 10: a slowloris socket on the
 * dashboard is cut off by MLOPS_HEADERS_TIMEOUT_MS.
 */
const DECOY_BODY = 'decoy-body-3b9e';
let stack: Stack;
let decoy: http.Server;
let decoyPort: number;
let decoyHits = 0;

beforeAll(async () => {
  decoy = http.createServer((_req, res) => res.end(DECOY_BODY));
  decoy.on('connection', () => (decoyHits += 1));
  await new Promise<void>((resolve) => decoy.listen(0, '127.0.0.1', resolve));
  decoyPort = (decoy.address() as net.AddressInfo).port;
  stack = await startStack({
    label: 'sec-web',
    apps: ['web'],
    appEnv: { web: { MLOPS_HEADERS_TIMEOUT_MS: '500' } },
  });
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await new Promise((resolve) => decoy.close(resolve));
});

const webPort = () => Number(new URL(stack.urls.web ?? '').port);

/** One request written byte for byte (fetch would normalise `\`, `..` and `//` away). */
function raw(method: string, target: string, body = ''): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(webPort(), '127.0.0.1');
    let text = '';
    socket.on('data', (c: Buffer) => (text += c.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(text.split(' ')[1]), text }));
    socket.write(
      `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n` +
        `Authorization: Bearer ${stack.adminToken}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  });
}

describe('the dashboard server as a proxy', () => {
  it('never reaches another host, whatever the path, encoding or method', async () => {
    const hp = `127.0.0.1:${decoyPort}`;
    const attacks = [
      `//${hp}/steal`,
      `/%2F%2F${hp}/steal`,
      `/\\\\${hp}/steal`,
      `/%5C%5C${hp}/steal`,
      `/http://${hp}/steal`,
      `/../${hp}/steal`,
      `/%2e%2e/%2e%2e/steal`,
      `/%252F%252F${hp}/steal`,
    ];
    const seen: string[] = [];
    for (const prefix of ['/registry', '/serving', '/monitor']) {
      for (const method of ['GET', 'POST', 'PUT', 'DELETE']) {
        for (const attack of attacks) {
          const res = await raw(method, `${prefix}${attack}`, method === 'GET' ? '' : '{}');
          if (res.text.includes(DECOY_BODY) || res.status !== 400)
            seen.push(`${method} ${prefix}${attack} → ${res.status}`);
        }
      }
    }
    expect(seen).toEqual([]);
    expect(decoyHits).toBe(0);
  });

  it('still forwards a legitimate call with its token to the registry', async () => {
    const res = await fetch(`${stack.urls.web}/registry/trpc/auth.whoami`, {
      headers: { authorization: `Bearer ${stack.adminToken}` },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ result: { data: { name: 'admin' } } });
  });

  it('closes a slowloris socket (MLOPS_HEADERS_TIMEOUT_MS=500)', async () => {
    const socket = net.connect(webPort(), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const drip = setInterval(() => socket.destroyed || socket.write('X-Slow: 1\r\n'), 100);
    const closed = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    clearInterval(drip);
    socket.destroy();
    expect(closed, 'the slow socket was still open after 10 s').toBe(true);
  });
});
