import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, type ErrorCode } from '@mlops/contracts';
import { asBadInput, asUnavailable } from '../unavailable';

const BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'VALIDATION_FAILED',
  422: 'BAD_DATASET',
};

/** REST errors: status from ERROR_CODES, body `{error:{code,message,details?}}`; never a stack. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | AppError | Error, request, reply) => {
    const appError = toRestError(err);
    if (appError.code === 'INTERNAL') request.log.error({ err }, 'request failed');
    else request.log.info({ code: appError.code, msg: appError.message }, 'request rejected');
    return reply.status(appError.httpStatus).send(appError.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .status(404)
      .send(
        new AppError(
          'NOT_FOUND',
          `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
        ).toBody(),
      ),
  );
}

export function toRestError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const mapped = asUnavailable(err) ?? asBadInput(err);
  if (mapped) return mapped;
  const status =
    typeof err === 'object' && err !== null && 'statusCode' in err ? Number(err.statusCode) : 500;
  const code = BY_STATUS[status];
  if (code) return new AppError(code, err instanceof Error ? err.message : 'bad request');
  // Client aborts and other stream errors land here too; they are not the client's input at fault.
  return new AppError('INTERNAL', 'internal error; see the registry log');
}
