import { pino, type Logger, type LoggerOptions } from 'pino';

/** Paths never written to logs, whatever a caller passes in. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'authorization',
  'token',
  '*.token',
  'password',
  '*.password',
  'secretKey',
  '*.secretKey',
];

export function loggerOptions(name: string, level: string): LoggerOptions {
  return { name, level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } };
}

/** Structured JSON logger (pino) for one service. */
export function createLogger(name: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino(loggerOptions(name, level));
}

export type { Logger };

/**
 * Wall time of the steps of one operation, for a debug log line: `mark('fetchMs')` records the
 * milliseconds since the stopwatch started (wall time, not CPU: waits for I/O and for a core
 * count too).
 */
export function stopwatch(): { mark: (step: string) => void; marks: Record<string, number> } {
  const start = performance.now();
  const marks: Record<string, number> = {};
  return {
    marks,
    mark(step) {
      marks[step] = Math.round(performance.now() - start);
    },
  };
}
