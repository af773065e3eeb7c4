import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, isAppError } from '@mlops/contracts';

/** Every error answers `AppError.toBody()` with the status of its code; nothing leaks a stack. */
export function registerErrorHandlers(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError, request, reply) => {
    if (isAppError(err)) {
      if (err.httpStatus >= 500) request.log.error({ err }, err.message);
      return reply.status(err.httpStatus).send(err.toBody());
    }
    if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      const body = new AppError('VALIDATION_FAILED', err.message).toBody();
      return reply.status(400).send(body);
    }
    request.log.error({ err }, 'unhandled error');
    return reply
      .status(500)
      .send(new AppError('INTERNAL', 'Internal error; see the monitor logs').toBody());
  });
  app.setNotFoundHandler((request, reply) => {
    const err = new AppError(
      'NOT_FOUND',
      `No route ${request.method} ${request.url}; see GET /v1/models and GET /v1/drift/:model`,
    );
    return reply.status(404).send(err.toBody());
  });
}
