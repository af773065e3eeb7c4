import { TRPCClientError } from '@trpc/client';
import { z } from 'zod';
import {
  AppError,
  readErrorBody,
  errorCodeSchema,
  errorDetailSchema,
  type ErrorCode,
} from '@mlops/contracts';

/** Thrown by the client's fetch when the registry cannot be reached at all. */
export class RegistryUnreachableError extends Error {
  override name = 'RegistryUnreachableError';
  constructor(
    readonly url: string,
    cause: unknown,
  ) {
    super(`registry not reachable at ${url} — is it running?`, { cause });
  }
}

const trpcErrorData = z.object({
  appCode: errorCodeSchema.optional(),
  details: z.array(errorDetailSchema).optional(),
  httpStatus: z.number().optional(),
});

const STATUS_CODES: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  412: 'PRECONDITION_FAILED',
  413: 'PAYLOAD_TOO_LARGE',
  422: 'BAD_DATASET',
  503: 'UNAVAILABLE',
};

/** Turn any error from the client (tRPC or REST) into an AppError with code/message/details. */
export function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  const unreachable = findUnreachable(err);
  if (unreachable) return new AppError('UNAVAILABLE', unreachable.message);
  if (err instanceof TRPCClientError) {
    const data = trpcErrorData.safeParse(err.data);
    if (data.success && data.data.appCode)
      return new AppError(data.data.appCode, err.message, data.data.details);
    const status = data.success ? data.data.httpStatus : undefined;
    return new AppError((status && STATUS_CODES[status]) || 'INTERNAL', err.message);
  }
  if (isConnectionError(err))
    return new AppError('UNAVAILABLE', 'registry not reachable — is it running?');
  return new AppError('INTERNAL', err instanceof Error ? err.message : String(err));
}

/** The AppError of a failed REST response: its JSON error body, else the status alone. */
export async function restError(res: Response): Promise<AppError> {
  const text = await res.text().catch(() => '');
  let body: ReturnType<typeof readErrorBody> = null;
  try {
    body = readErrorBody(JSON.parse(text));
  } catch {
    // not JSON: the status alone
  }
  if (body)
    return new AppError(
      body.code ?? STATUS_CODES[res.status] ?? 'INTERNAL',
      body.message,
      body.details,
    );
  return new AppError(
    STATUS_CODES[res.status] ?? 'INTERNAL',
    `registry answered HTTP ${res.status}: ${text.slice(0, 200)}`,
  );
}

function findUnreachable(err: unknown): RegistryUnreachableError | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    if (e instanceof RegistryUnreachableError) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** Node's fetch fails with TypeError("fetch failed") whose cause carries ECONNREFUSED & co. */
export function isConnectionError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && depth < 5; depth++) {
    const code = typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : '';
    if (
      [
        'ECONNREFUSED',
        'ENOTFOUND',
        'ECONNRESET',
        'EHOSTUNREACH',
        'UND_ERR_CONNECT_TIMEOUT',
        'UND_ERR_SOCKET',
      ].includes(code)
    )
      return true;
    if (e instanceof TypeError && e.message === 'fetch failed') return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}
