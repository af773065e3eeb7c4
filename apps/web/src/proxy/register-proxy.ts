import { rootCertificates as tlsRootCertificates } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import { AppError } from '@mlops/contracts';
import { callerResponseHeaders, upstreamRequestHeaders } from './headers';
import { upstreamPath } from './upstream-path';

export interface ProxyOptions {
  /** Mount point in the dashboard's origin, e.g. `/registry`. */
  prefix: string;
  /** The one service this prefix reaches: `http://…` or `https://…`, optionally with a path. */
  upstream: string;
  /** Extra PEM certificate(s) to trust for an https upstream (besides the system's roots). */
  ca?: string | undefined;
  /** Called for each refused request path (for metrics). */
  onRefused?: (prefix: string) => void;
}

/**
 * Forward every request under `<prefix>/` to its configured upstream with @fastify/reply-from
 * (undici), streaming both bodies: dataset uploads can be large, so nothing is buffered. The
 * browser sees one origin, so no service needs CORS.
 *
 * The target is always `upstream` + a path checked by `upstreamPath`: anything that could name
 * another host or leave the upstream's root is answered 400 and never forwarded.
 */
export function registerProxy(app: FastifyInstance, opts: ProxyOptions): void {
  const base = new URL(opts.upstream);
  const basePath = base.pathname.replace(/\/+$/, '');
  void app.register(async (scope) => {
    await scope.register(replyFrom, {
      base: base.origin,
      disableRequestLogging: true,
      undici: {
        // reply-from turns certificate checks off (tls.rejectUnauthorized: false) unless told
        // otherwise; `connect` overrides it: an https upstream must prove who it is, against
        // the system's roots plus WEB_UPSTREAM_CA_FILE.
        connect: { rejectUnauthorized: true, ...(opts.ca ? { ca: trusted(opts.ca) } : {}) },
      },
    });
    // Bodies pass through untouched as streams: the upstream parses and validates them.
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

    const handler = (request: FastifyRequest, reply: FastifyReply) => {
      const target = upstreamPath(request.raw.url ?? request.url, opts.prefix);
      if (!target.ok) {
        opts.onRefused?.(opts.prefix);
        request.log.warn({ reason: target.reason }, 'proxy path refused');
        const err = new AppError('VALIDATION_FAILED', `refused path: ${target.reason}`);
        return reply.code(err.httpStatus).send(err.toBody());
      }
      return reply.from(`${basePath}${target.path}`, {
        rewriteRequestHeaders: (_req, headers) => upstreamRequestHeaders(headers, base.host),
        rewriteHeaders: (headers) => callerResponseHeaders(headers),
        onError: (r, { error }) => {
          const cause = error.cause instanceof Error ? error.cause.message : error.message;
          if (cutOffMidBody(request, error)) {
            const err = new AppError('UNAVAILABLE', midBodyMessage(base.origin, cause));
            return void r.code(err.httpStatus).send(err.toBody());
          }
          const err = new AppError(
            'UNAVAILABLE',
            `${base.origin} did not answer (${cause}): is the service running, its URL set` +
              (base.protocol === 'https:'
                ? ' and its certificate trusted (WEB_UPSTREAM_CA_FILE)?'
                : '?'),
          );
          void r.code(err.httpStatus).send(err.toBody());
        },
      });
    };
    scope.all(opts.prefix, handler);
    scope.all(`${opts.prefix}/*`, handler);
  });
}

/** Socket errors of a connection the upstream closed while we were still writing to it. */
const CLOSED_ON_US = new Set(['EPIPE', 'ECONNRESET', 'UND_ERR_SOCKET']);

/**
 * Whether the upstream closed the connection before the caller's body was all sent: a service
 * refuses a body it will not read (over its size limit, or a caller it does not accept) by
 * answering at once and closing, and the HTTP client then loses that answer to the write error.
 */
function cutOffMidBody(request: FastifyRequest, error: Error): boolean {
  const code = (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return !request.raw.complete && code !== undefined && CLOSED_ON_US.has(code);
}

function midBodyMessage(origin: string, cause: string): string {
  return (
    `${origin} closed the connection before reading the whole request body (${cause}), so ` +
    'its answer was lost: a service does this to a body it refuses, most often one over its ' +
    'size limit (SERVING_MAX_BODY_BYTES, REGISTRY_MAX_UPLOAD_BYTES) or a request without a ' +
    'valid token. Send less, or check the token.'
  );
}

function trusted(pem: string): string[] {
  // `ca` replaces Node's default roots: keep them, so a public-CA upstream keeps working.
  return [...tlsRootCertificates, pem];
}
