import Fastify, { type FastifyInstance } from 'fastify';

export interface Echo {
  app: FastifyInstance;
  url: string;
  port: number;
}

/**
 * A real HTTP(S) server standing in for one service: it answers what the proxy forwarded to it,
 * signed with its own name, and adds hop-by-hop headers that must not reach the caller.
 */
export async function startEcho(
  name: string,
  https?: { key: string; cert: string },
): Promise<Echo> {
  // One type for both: the routes below do not care which transport carries them.
  const app = (https ? Fastify({ https }) : Fastify()) as unknown as FastifyInstance;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get('/healthz', () => ({ status: 'ok' }));
  app.all('/*', (request, reply) => {
    void reply
      .header('connection', 'x-upstream-hop')
      .header('x-upstream-hop', 'leaked')
      .header('set-cookie', 'upstream=1; Path=/');
    return {
      service: name,
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body.toString('utf8') : null,
    };
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, port: Number(new URL(url).port) };
}

export const DECOY_BODY = 'decoy-secret-7c1f: you reached a service the proxy must never reach';

/** An unrelated service on another port (cloud metadata, MinIO, Prometheus…): counts its hits. */
export async function startDecoy(): Promise<Echo & { hits: () => number }> {
  let hits = 0;
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  // Any TCP contact counts, even one that never becomes a valid HTTP request.
  app.server.on('connection', () => {
    hits += 1;
  });
  app.all('/*', () => DECOY_BODY);
  app.all('/', () => DECOY_BODY);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url, port: Number(new URL(url).port), hits: () => hits };
}
