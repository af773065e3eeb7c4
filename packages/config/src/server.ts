import type { Logger } from 'pino';

/** What graceful shutdown needs of a server (a Fastify instance fits): typed structurally. */
export interface Closable {
  close(): Promise<unknown>;
}

export interface CloseOnSignalOptions {
  logger: Pick<Logger, 'info' | 'error'>;
  /** Logged when the first signal arrives. */
  message?: string;
  /** Logged with the error when closing rejects (the process then exits with 1). */
  errorMessage?: string;
  /** Exit with 1 when closing takes longer than this. */
  timeoutMs?: number;
  /**
   * Listen with `process.once`: a second signal then gets Node's default handling and ends the
   * process at once. Otherwise later signals are ignored while closing.
   */
  once?: boolean;
}

/**
 * Graceful shutdown on SIGINT/SIGTERM: close the server once (its onClose hooks close every
 * client), then exit with 0, or 1 when closing fails.
 */
export function closeOnSignal(server: Closable, opts: CloseOnSignalOptions): void {
  const { logger } = opts;
  let closing = false;
  async function shutdown(signal: NodeJS.Signals): Promise<void> {
    if (closing) return;
    closing = true;
    logger.info({ signal }, opts.message ?? 'shutting down');
    const { timeoutMs } = opts;
    if (timeoutMs !== undefined) {
      const force = setTimeout(() => {
        logger.error(`shutdown took longer than ${timeoutMs / 1000} s; exiting`);
        process.exit(1);
      }, timeoutMs);
      force.unref();
    }
    try {
      await server.close();
      process.exit(0);
    } catch (err) {
      logger.error({ err }, opts.errorMessage ?? 'shutdown failed');
      process.exit(1);
    }
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const handler = () => void shutdown(signal);
    if (opts.once) process.once(signal, handler);
    else process.on(signal, handler);
  }
}
