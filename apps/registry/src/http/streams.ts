import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '@mlops/contracts';
import { checkBearer } from '../auth';
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

/** preHandler for uploads: runs before the body is read, so unauthorised bodies are never stored. */
export function requireToken(deps: RegistryDeps) {
  return (request: FastifyRequest): Promise<void> => {
    checkBearer(request.headers.authorization, deps.adminToken);
    return Promise.resolve();
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
