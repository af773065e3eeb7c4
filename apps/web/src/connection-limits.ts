import type { Server } from 'node:http';
import type { Socket } from 'node:net';

/** How long the web server waits for slow clients, and how many sockets one client may hold. */
export interface ServerLimits {
  /** Whole request head must arrive within this (slowloris: headers never finished). */
  headersTimeoutMs: number;
  /** Whole request, body included (dataset uploads pass through, so minutes, not seconds). */
  requestTimeoutMs: number;
  /** Idle keep-alive sockets are closed after this. */
  keepAliveTimeoutMs: number;
  /** Open sockets per client IP; more are closed as soon as they connect. */
  maxConnectionsPerClient: number;
}

export const DEFAULT_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 300_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerClient: 64,
};

/**
 * Options for `http.createServer` (through Fastify's `http`): Node checks the header and request
 * timeouts only every `connectionsCheckingInterval` (30 s by default), which would let a slow
 * socket live far past a short timeout, so the check runs at least twice per headers timeout.
 */
export function httpServerOptions(limits: ServerLimits) {
  return {
    headersTimeout: limits.headersTimeoutMs,
    connectionsCheckingInterval: Math.max(
      50,
      Math.min(1_000, Math.floor(limits.headersTimeoutMs / 2)),
    ),
  };
}

/**
 * Close a client's sockets beyond `max` as soon as they connect, so one address cannot hold every
 * socket the server has (70 slow sockets used to sit for 30 s each). Counted per remote address.
 */
export function limitConnectionsPerClient(
  server: Server,
  max: number,
  onRefused: (address: string) => void,
): void {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      onRefused(address);
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
}
