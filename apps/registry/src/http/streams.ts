import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
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

export function bodyStream(request: FastifyRequest): Readable {
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
