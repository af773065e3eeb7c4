import { PassThrough, Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@mlops/contracts';
import type { TokenScope } from '@mlops/contracts';
import { checkAccess } from '../access';
import type { RegistryDeps } from '../deps';

/**
 * In this (encapsulated) scope every body reaches the handler as the raw request stream:
 * uploads are streamed to disk instead of buffered. Only the routes registered inside see it;
 * tRPC keeps Fastify's default parsers.
 */
export function passBodiesThrough(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
}

/**
 * The upload's body as a stream the handler may fail (and a pipeline destroy) without
 * destroying the request: that resets the socket, and the client never reads the 4xx. A
 * failed pipeline unpipes the request, which stays paused until `discardRest`. The request's
 * own end (a client that went away) is forwarded, which `pipe` alone does not do.
 */
export function bodyStream(request: FastifyRequest): Readable {
  const raw = rawBody(request);
  const body = new PassThrough();
  const aborted = () => {
    if (!raw.readableEnded && !body.destroyed)
      body.destroy(new Error('the client closed the upload before its end'));
  };
  raw.once('error', aborted).once('close', aborted);
  body.once('close', () => raw.off('error', aborted).off('close', aborted));
  // A handler that failed before reading learns nothing from this error; readers get it too.
  body.on('error', () => undefined);
  return raw.pipe(body);
}

function rawBody(request: FastifyRequest): Readable {
  return request.body instanceof Readable ? request.body : Readable.from([]);
}

/**
 * Route options of a REST route: `config.scope` is what the access hook (http/access.ts)
 * checks before the body is read, and what the route table (and the test that walks it)
 * knows the route needs. The preHandler checks the hook's principal again: a route that
 * somehow escaped the hook still refuses.
 */
export function scoped(deps: RegistryDeps, scope: TokenScope) {
  return {
    config: { scope },
    preHandler: (request: FastifyRequest, _reply: unknown, done: () => void): void => {
      checkAccess({ scope }, request.principal, deps.publicReads);
      done();
    },
  };
}

/**
 * What of a refused upload is still read (and dropped) after the answer: up to this many bytes,
 * for up to this long. Within that, the connection survives for the client's next request.
 */
const DISCARD_MAX_BYTES = 16 * 1024 ** 2;
const DISCARD_MAX_MS = 10_000;

/**
 * After an upload was refused (or failed) before its end: stop storing it, drop what the
 * client still sends, and close the connection only when that goes on past the bounds above.
 * Closing at once would reset the socket with unread bytes in it, and many clients then lose
 * the 4xx; draining to the end would let a refused 1 GB upload run on.
 */
export function discardRest(request: FastifyRequest, reply: FastifyReply): void {
  const body = rawBody(request);
  if (body.readableEnded) return;
  const socket = request.raw.socket;
  let dropped = 0;
  let answered = false;
  let timer: NodeJS.Timeout | undefined;
  const close = () => {
    if (!body.readableEnded) socket.destroy();
  };
  const onAnswered = () => {
    if (answered) return;
    answered = true;
    if (dropped > DISCARD_MAX_BYTES) return close();
    timer = setTimeout(close, DISCARD_MAX_MS);
    timer.unref();
  };
  body.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (answered && dropped > DISCARD_MAX_BYTES) close();
  });
  body.once('end', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  if (reply.raw.writableFinished) onAnswered();
  else reply.raw.once('finish', onAnswered).once('close', onAnswered);
  body.unpipe(); // from `bodyStream`'s stream, if the handler failed before reading it all
  body.resume();
}

/** A declared Content-Length past the limit is refused before reading a byte. */
export function checkDeclaredLength(request: FastifyRequest, maxBytes: number): void {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `upload of ${declared} bytes is larger than ${maxBytes} bytes (REGISTRY_MAX_UPLOAD_BYTES)`,
    );
  }
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The scope a mutating route needs (see `scoped`). */
    scope?: TokenScope;
  }
}
