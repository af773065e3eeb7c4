import type { FastifyInstance } from 'fastify';
import { AppError } from '@mlops/contracts';
import { procedurePaths } from '../http/access';
import { toRestError } from '../http/errors';
import { refuseTrpc } from './access';

/**
 * The tRPC route's transport rules, in the scope that holds the tRPC plugin (after the access
 * hook has let the caller in): JSON bodies only — no procedure takes FormData, and the
 * adapter answers a multipart body with a 500 — and every error Fastify raises before tRPC
 * runs (body past REGISTRY_MAX_JSON_BYTES, say) answered in tRPC's shape, so the client
 * reports it with its code and message instead of failing to parse the answer.
 */
export function guardTrpcTransport(scope: FastifyInstance, maxJsonBytes: number): void {
  scope.addHook('onRequest', async (request, reply) => {
    const type = request.headers['content-type'];
    const hasBody =
      request.headers['transfer-encoding'] !== undefined ||
      Number(request.headers['content-length'] ?? 0) > 0;
    if (!hasBody || (type !== undefined && /^application\/json\s*(;|$)/i.test(type))) return;
    return refuseTrpc(
      request,
      reply,
      new AppError(
        'VALIDATION_FAILED',
        `tRPC bodies are JSON: send content-type application/json, not ${type ?? 'none'}`,
      ),
      procedurePaths(request),
    );
  });

  scope.setErrorHandler((err, request, reply) => {
    const tooLarge =
      typeof err === 'object' &&
      err !== null &&
      'code' in err &&
      err.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const appError = tooLarge
      ? new AppError(
          'PAYLOAD_TOO_LARGE',
          `tRPC body larger than ${maxJsonBytes} bytes (REGISTRY_MAX_JSON_BYTES): upload datasets and artifacts through /api/datasets and /api/blobs`,
        )
      : toRestError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    else request.log.info({ code: appError.code, msg: appError.message }, 'request rejected');
    return refuseTrpc(request, reply, appError, procedurePaths(request));
  });
}
