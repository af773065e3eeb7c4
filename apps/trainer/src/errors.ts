import { toAppError } from '@mlops/client';
import type { AppError, ErrorCode } from '@mlops/contracts';

/**
 * Any error as an AppError: registry errors (tRPC `data.appCode`, REST error bodies, an
 * unreachable registry) keep their code, so the worker can tell bad input from an outage.
 */
export const asAppError: (err: unknown) => AppError = toAppError;

/**
 * Errors that another attempt cannot fix: the spec or the dataset is wrong, or the run is gone
 * or no longer startable. Everything else (registry down, Redis hiccup) is retried by BullMQ.
 */
const PERMANENT: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'BAD_DATASET',
  'VALIDATION_FAILED',
  'NOT_FOUND',
  'CONFLICT',
  'FORBIDDEN',
  'UNAUTHORIZED',
]);

export function isPermanent(err: AppError): boolean {
  return PERMANENT.has(err.code);
}
