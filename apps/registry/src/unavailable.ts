import { AppError } from '@mlops/contracts';

// Connection-level failures (the socket) and Postgres' "server is going away / cannot
// connect" classes (57P0x admin shutdown, 08xxx connection exceptions).
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EPIPE',
  'EAI_AGAIN',
]);

/**
 * A database that is down must answer 503 with a clear message, not a 500: the request was
 * fine and the registry recovers (the pool reconnects) when the database returns.
 */
export function asUnavailable(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err.code === 'UNAVAILABLE' ? err : undefined;
  if (typeof err !== 'object' || err === null) return undefined;
  const code = 'code' in err ? String(err.code) : '';
  const message = err instanceof Error ? err.message : '';
  if (
    NETWORK_CODES.has(code) ||
    code.startsWith('08') ||
    code.startsWith('57P') ||
    /Connection terminated|timeout exceeded when trying to connect/i.test(message)
  ) {
    return new AppError(
      'UNAVAILABLE',
      'the registry database is unreachable; retry when it is back (see the registry log)',
    );
  }
  const cause = 'cause' in err ? err.cause : undefined;
  return cause !== undefined && cause !== err ? asUnavailable(cause) : undefined;
}

/**
 * Safety net for input the schemas let through but the database refuses (Postgres class 22,
 * "data exception": a number out of range, a bad encoding): the client's fault, so 400.
 */
export function asBadInput(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  const code = String(err.code);
  if (!/^22[0-9A-Z]{3}$/.test(code)) return undefined;
  const message = err instanceof Error ? err.message : 'invalid value';
  return new AppError(
    'VALIDATION_FAILED',
    `the database refused a value: ${message}; check the input`,
  );
}
