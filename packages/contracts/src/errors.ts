import { z } from 'zod';

/** Every error a service answers carries one of these codes; HTTP status follows from it. */
export const ERROR_CODES = {
  VALIDATION_FAILED: 400,
  BAD_DATASET: 422,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  PRECONDITION_FAILED: 412,
  UNAVAILABLE: 503,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/**
 * The tRPC error code (a `TRPC_ERROR_CODE_KEY` of @trpc/server) of each code: the one whose HTTP
 * status matches. Plain strings, so contracts needs no tRPC; the literal types still have to fit
 * `TRPC_ERROR_CODE_KEY` where a service builds its `TRPCError`.
 */
export const TRPC_CODE_OF = {
  VALIDATION_FAILED: 'BAD_REQUEST',
  BAD_DATASET: 'UNPROCESSABLE_CONTENT',
  UNAUTHORIZED: 'UNAUTHORIZED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  PRECONDITION_FAILED: 'PRECONDITION_FAILED',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
} as const satisfies Record<ErrorCode, string>;
export const errorCodeSchema = z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]);

/** One problem with one place in the input: a field path, a row number, or both. */
export const errorDetailSchema = z.object({
  path: z.string().optional(),
  row: z.number().int().optional(),
  message: z.string(),
});
export type ErrorDetail = z.infer<typeof errorDetailSchema>;

/** The JSON body of every error response from registry, serving and monitor REST routes. */
export const errorBodySchema = z.object({
  error: z.object({
    code: errorCodeSchema,
    message: z.string(),
    details: z.array(errorDetailSchema).optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/**
 * TF Serving's REST error body is `{"error": "<message>"}`, and its clients read `error` as a
 * string. Serving's TF Serving routes answer that, with our `code` and `details` beside it.
 */
export const tfServingErrorBodySchema = z.object({
  error: z.string(),
  code: errorCodeSchema.optional(),
  details: z.array(errorDetailSchema).optional(),
});
export type TfServingErrorBody = z.infer<typeof tfServingErrorBodySchema>;

/** The code, message and details of an error body in either shape; null when it is neither. */
export function readErrorBody(
  body: unknown,
): { code: ErrorCode | undefined; message: string; details: ErrorDetail[] | undefined } | null {
  const ours = errorBodySchema.safeParse(body);
  if (ours.success) {
    const { code, message, details } = ours.data.error;
    return { code, message, details };
  }
  const tf = tfServingErrorBodySchema.safeParse(body);
  if (tf.success) return { code: tf.data.code, message: tf.data.error, details: tf.data.details };
  return null;
}

/**
 * Bounds of what an error may carry. Messages and details often quote the input (a column
 * name, a cell, a parser's excerpt); a hostile upload must not come back as a multi-MB answer,
 * so every AppError is clipped here, once, whatever built it.
 */
export const ERROR_LIMITS = {
  messageChars: 600,
  detailMessageChars: 300,
  detailPathChars: 160,
  details: 100,
} as const;

/** `text` cut to `max` characters, saying how much was left out. */
export function clipText(text: string, max: number): string {
  if (text.length <= max) return text;
  return `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** `details` cut to ERROR_LIMITS (count, path and message lengths). */
export function clipDetails(details: ErrorDetail[]): ErrorDetail[] {
  const kept = details.slice(0, ERROR_LIMITS.details).map((d) => ({
    ...d,
    ...(d.path !== undefined ? { path: clipText(d.path, ERROR_LIMITS.detailPathChars) } : {}),
    message: clipText(d.message, ERROR_LIMITS.detailMessageChars),
  }));
  const left = details.length - kept.length;
  if (left > 0) kept.push({ message: `${left} more problem(s) not listed` });
  return kept;
}

/**
 * A failure the caller can act on. Services throw it from domain code; the HTTP layer maps
 * `code` to a status and the body above. `message` must say what is wrong and what to do.
 * Message and details are clipped to ERROR_LIMITS.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetail[] | undefined;

  constructor(code: ErrorCode, message: string, details?: ErrorDetail[]) {
    super(clipText(message, ERROR_LIMITS.messageChars));
    this.name = 'AppError';
    this.code = code;
    this.details = details && clipDetails(details);
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code];
  }

  toBody(): ErrorBody {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
      },
    };
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** Turn zod issues into details that name the field, e.g. `instances[3].petal_length`. */
export function zodIssuesToDetails(
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
): ErrorDetail[] {
  return issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out || '(root)';
}

/** A single-line summary of details, for messages and CLI output. */
export function describeDetails(details: ErrorDetail[], max = 5): string {
  const shown = details.slice(0, max).map((d) => {
    const where = [d.row !== undefined ? `row ${d.row}` : '', d.path ?? '']
      .filter(Boolean)
      .join(' ');
    return where ? `${where}: ${d.message}` : d.message;
  });
  const more = details.length > max ? `; and ${details.length - max} more` : '';
  return shown.join('; ') + more;
}
