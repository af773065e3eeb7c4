import { TRPCClientError } from '@trpc/client';
import { readErrorBody } from '@mlops/contracts';

/** What a person should read when a call fails: the service's message (it says what to do). */
export function errorMessage(err: unknown): string {
  if (err instanceof TRPCClientError) return String(err.message);
  if (err instanceof Error) return err.message;
  return String(err);
}

/** tRPC error code of a failed call (`UNAUTHORIZED`, `NOT_FOUND`, …), if it is one. */
export function trpcCode(err: unknown): string | undefined {
  if (!(err instanceof TRPCClientError)) return undefined;
  const data: unknown = err.data;
  if (typeof data === 'object' && data !== null && 'code' in data && typeof data.code === 'string')
    return data.code;
  return undefined;
}

/** A REST error body (ours or TF Serving's) as a message, else the status line. */
export function restErrorMessage(status: number, body: unknown): string {
  const parsed = readErrorBody(body);
  if (!parsed) return `HTTP ${status}`;
  return parsed.code ? `${parsed.message} (${parsed.code})` : parsed.message;
}
