import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '@mlops/contracts';
import type { TokenScope } from '@mlops/contracts';
import { authorize } from '../auth';
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

export function bodyStream(request: FastifyRequest): Readable {
  return request.body instanceof Readable ? request.body : Readable.from([]);
}

/**
 * Route options of a mutating REST route: a preHandler that checks the bearer token's scope
 * before the body is read (unauthorised bodies are never stored), and `config.scope` so the
 * route table (and the test that walks it) knows what the route needs.
 */
export function scoped(deps: RegistryDeps, scope: TokenScope) {
  return {
    config: { scope },
    preHandler: async (request: FastifyRequest): Promise<void> => {
      await authorize(deps, request.headers.authorization, scope);
    },
  };
}

/** How long a refused upload may go on being sent (and dropped) after the answer. */
const LINGER_MS = 2_000;

/**
 * After an upload was refused (or failed) before its end: stop storing it, drop what the
 * client still sends, and close the connection once the answer is out and the client had a
 * moment to read it. Closing at once would reset the socket with unread bytes in it, and many
 * clients then lose the 4xx; draining to the end would let a refused 1 GB upload run on.
 */
export function discardRest(request: FastifyRequest, reply: FastifyReply, body: Readable): void {
  if (body.readableEnded) return;
  const socket = request.raw.socket;
  let timer: NodeJS.Timeout | undefined;
  const closeLater = () => {
    if (body.readableEnded) return;
    timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
  };
  body.once('end', () => clearTimeout(timer));
  socket.once('close', () => clearTimeout(timer));
  if (reply.raw.writableFinished) closeLater();
  else reply.raw.once('finish', closeLater).once('close', closeLater);
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
