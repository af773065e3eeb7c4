import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '@mlops/contracts';

/** UNAVAILABLE with a hint of when to come back (sent as `Retry-After`). */
export class RetryLaterError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('UNAVAILABLE', message);
  }
}

/**
 * A body of a content type the route does not read: HTTP 415, as MLflow's scoring server
 * answers. The code stays VALIDATION_FAILED (the caller must change the request).
 */
export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super('VALIDATION_FAILED', message);
  }

  override get httpStatus(): number {
    return 415;
  }
}

/**
 * Every error leaves as `{error: {code, message, details?}}` with the status of its code.
 * Fastify's own client errors (malformed JSON, body too large, wrong content type) become
 * 4xx AppErrors; anything unexpected is logged and answered as a generic 500.
 */
export function toHttpError(err: unknown, bodyLimit: number): AppError {
  if (isAppError(err)) return err;
  const fe = err as Partial<FastifyError> | undefined;
  const status = typeof fe?.statusCode === 'number' ? fe.statusCode : 500;
  if (status === 413) {
    return new AppError(
      'PAYLOAD_TOO_LARGE',
      `Request body is larger than ${bodyLimit} bytes: send fewer instances per request`,
    );
  }
  if (status === 415) {
    return new UnsupportedMediaTypeError(
      'Unsupported content type: send the body as JSON with "Content-Type: application/json"',
    );
  }
  if (status >= 400 && status < 500) {
    return new AppError('VALIDATION_FAILED', `Bad request: ${fe?.message ?? 'unreadable body'}`);
  }
  return new AppError('INTERNAL', 'Internal error while serving the request; see the server log');
}

/**
 * An error handler answering in one protocol's own body shape (`body`); the status, Retry-After
 * and logging are the same for every protocol.
 */
export function protocolErrorHandler(bodyLimit: number, body: (e: AppError) => unknown) {
  return (err: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const appError = toHttpError(err, bodyLimit);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'unhandled error');
    if (err instanceof RetryLaterError) {
      void reply.header('retry-after', String(err.retryAfterSeconds));
    } else if (appError.code === 'UNAVAILABLE' && !reply.hasHeader('retry-after')) {
      void reply.header('retry-after', '1');
    }
    return reply.status(appError.httpStatus).send(body(appError));
  };
}

export function installErrorHandlers(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler(protocolErrorHandler(bodyLimit, (e) => e.toBody()));

  app.setNotFoundHandler((request, reply) => {
    const err = new AppError(
      'NOT_FOUND',
      `No route ${request.method} ${request.url.split('?')[0] ?? ''}: see GET /v1/models, POST /v1/models/<name>:predict`,
    );
    return reply.status(err.httpStatus).send(err.toBody());
  });
}
