import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError, CONTENT_SHA256_HEADER, sha256Schema } from '@mlops/contracts';
import type { RegistryDeps } from '../deps';
import { parseInput } from './params';
import { bodyStream, checkDeclaredLength, discardRest, passBodiesThrough, scoped } from './streams';

export const shaParams = z.object({ sha256: sha256Schema });
const uploadHeaders = z.object({ [CONTENT_SHA256_HEADER]: sha256Schema.optional() });

export function registerBlobRoutes(app: FastifyInstance, deps: RegistryDeps): void {
  void app.register((scope, _opts, done) => {
    passBodiesThrough(scope);

    scope.post('/api/blobs', scoped(deps, 'write'), async (request, reply) => {
      const headers = parseInput(uploadHeaders, request.headers, 'headers');
      const body = bodyStream(request);
      const expected = headers[CONTENT_SHA256_HEADER];
      try {
        checkDeclaredLength(request, deps.maxUploadBytes);
        const ref = await deps.store.put(body, {
          maxBytes: deps.maxUploadBytes,
          ...(expected !== undefined ? { expectedSha256: expected } : {}),
        });
        return await reply.status(201).send(ref);
      } catch (err) {
        if (err instanceof AppError && err.code === 'PAYLOAD_TOO_LARGE')
          deps.metrics.uploadRefusals.inc({ upload: 'blob', limit: 'size' });
        throw err;
      } finally {
        discardRest(request, reply);
      }
    });

    scope.get('/api/blobs/:sha256', scoped(deps, 'read'), async (request, reply) => {
      const { sha256 } = parseInput(shaParams, request.params, 'blob id');
      const stream = await deps.store.get(sha256);
      const info = await deps.store.has(sha256);
      if (info) void reply.header('content-length', info.size);
      return reply
        .header(CONTENT_SHA256_HEADER, sha256)
        .type('application/octet-stream')
        .send(stream);
    });
    done();
  });
}
