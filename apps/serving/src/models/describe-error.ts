import { isAppError, type ErrorCode } from '@mlops/contracts';

/** An error's code (INTERNAL unless it is an AppError) and message, whatever was thrown. */
export function describeError(err: unknown): { code: ErrorCode; message: string } {
  if (isAppError(err)) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
