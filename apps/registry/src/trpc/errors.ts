import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import {
  AppError,
  clipDetails,
  clipText,
  ERROR_LIMITS,
  TRPC_CODE_OF,
  formatPath,
  type ErrorCode,
  type ErrorDetail,
} from '@mlops/contracts';

const FROM_TRPC: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  BAD_REQUEST: 'VALIDATION_FAILED',
  PARSE_ERROR: 'VALIDATION_FAILED',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  METHOD_NOT_SUPPORTED: 'VALIDATION_FAILED',
  CONFLICT: 'CONFLICT',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNPROCESSABLE_CONTENT: 'BAD_DATASET',
  SERVICE_UNAVAILABLE: 'UNAVAILABLE',
};

export function appErrorToTrpc(err: AppError): TRPCError {
  return new TRPCError({ code: TRPC_CODE_OF[err.code], message: err.message, cause: err });
}

/** What goes into `shape.data` (and thus to `toAppError` in the client). */
export function errorData(error: TRPCError): {
  appCode: ErrorCode;
  details?: ErrorDetail[];
  message?: string;
} {
  const cause = error.cause;
  if (cause instanceof AppError)
    return { appCode: cause.code, ...(cause.details ? { details: cause.details } : {}) };
  const issues = issuesOf(cause);
  if (issues) {
    // Issues may quote the input (an unknown key's name): clipped as every AppError is.
    const details = clipDetails(
      issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
    );
    return {
      appCode: 'VALIDATION_FAILED',
      details,
      message: clipText(
        `invalid input: ${details
          .map((d) => `${d.path ?? ''}: ${d.message}`)
          .slice(0, 5)
          .join('; ')}`,
        ERROR_LIMITS.messageChars,
      ),
    };
  }
  const appCode = FROM_TRPC[error.code] ?? 'INTERNAL';
  // tRPC's own messages (a body that is not JSON…) may quote the input too.
  if (appCode === 'INTERNAL') return { appCode };
  return { appCode, message: clipText(error.message, ERROR_LIMITS.messageChars) };
}

/** zod errors and standard-schema errors both carry `issues` with a path of keys. */
function issuesOf(cause: unknown): Array<{ path: PropertyKey[]; message: string }> | undefined {
  if (
    typeof cause !== 'object' ||
    cause === null ||
    !('issues' in cause) ||
    !Array.isArray(cause.issues)
  )
    return undefined;
  return (cause.issues as unknown[]).flatMap((raw) => {
    const issue = (typeof raw === 'object' && raw !== null ? raw : {}) as {
      path?: unknown;
      message?: unknown;
      code?: unknown;
      keys?: unknown;
    };
    const path = Array.isArray(issue.path)
      ? issue.path.map((p: unknown) =>
          typeof p === 'object' && p !== null && 'key' in p
            ? (p.key as PropertyKey)
            : (p as PropertyKey),
        )
      : [];
    // Strict inputs: name each unknown key as the field at fault, not the object holding it.
    if (issue.code === 'unrecognized_keys' && Array.isArray(issue.keys))
      return (issue.keys as unknown[]).map((key) => ({
        path: [...path, String(key)],
        message: 'unknown key: not part of this input (misspelled?)',
      }));
    return [{ path, message: typeof issue.message === 'string' ? issue.message : 'invalid' }];
  });
}
