import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Hit {
  headers: http.IncomingHttpHeaders;
  body: string;
  url: string;
}

export interface Receiver {
  url: string;
  port: number;
  hits: Hit[];
  close(): Promise<void>;
}

/** A real HTTP server on loopback that records what it gets and answers with `answer`. */
export async function startReceiver(
  answer: (res: http.ServerResponse, hit: Hit) => void = (res) => res.end('ok'),
  opts: { host?: string; port?: number } = {},
): Promise<Receiver> {
  const hits: Hit[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = {
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        url: req.url ?? '',
      };
      hits.push(hit);
      answer(res, hit);
    });
  });
  const host = opts.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on (taken from the OS, then released). */
export async function closedPort(): Promise<number> {
  const r = await startReceiver();
  await r.close();
  return r.port;
}
