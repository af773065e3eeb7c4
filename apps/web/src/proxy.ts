import http from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@mlops/contracts';

/** Headers that describe one hop, not the message: never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
]);

function forwardable(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const out: http.OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
  }
  return out;
}

/**
 * Forward every request under `/<prefix>/` to `upstream`, streaming both bodies (dataset uploads
 * can be large, so nothing is buffered). The browser sees one origin, so no CORS is needed.
 */
export function registerProxy(app: FastifyInstance, prefix: string, upstream: string): void {
  const base = new URL(upstream);
  void app.register((scope, _opts, done) => {
    // Bodies pass through untouched: the upstream parses and validates them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, next) => next(null));
    const handler = (request: FastifyRequest, reply: FastifyReply) =>
      forward(request, reply, base, request.url.slice(prefix.length) || '/');
    scope.all(`${prefix}`, handler);
    scope.all(`${prefix}/*`, handler);
    done();
  });
}

function forward(
  request: FastifyRequest,
  reply: FastifyReply,
  base: URL,
  pathAndQuery: string,
): Promise<void> {
  const target = new URL(pathAndQuery, base);
  return new Promise<void>((resolve) => {
    const upstream = http.request(
      target,
      { method: request.method, headers: { ...forwardable(request.headers), host: base.host } },
      (res) => {
        void reply
          .code(res.statusCode ?? 502)
          .headers(forwardable(res.headers))
          .send(res);
        resolve();
      },
    );
    upstream.on('error', (err) => {
      if (!reply.sent) {
        const error = new AppError(
          'UNAVAILABLE',
          `${base.origin} did not answer (${err.message}): is the service running and its URL set?`,
        );
        void reply.code(error.httpStatus).send(error.toBody());
      }
      resolve();
    });
    // Client went away mid-upload: stop the upstream request too.
    request.raw.on('aborted', () => upstream.destroy());
    request.raw.pipe(upstream);
  });
}
