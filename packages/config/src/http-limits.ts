import type { Server, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { z } from 'zod';
import { ConfigError } from './env';

/** How long and how often one client may hold a server (parsed from `serverEnv`). */
export interface ServerLimits {
  MLOPS_HEADERS_TIMEOUT_MS: number;
  MLOPS_REQUEST_TIMEOUT_MS: number;
  MLOPS_KEEP_ALIVE_TIMEOUT_MS: number;
  MLOPS_MAX_CONNECTIONS_PER_CLIENT: number;
}

/** The limits every server gets when its environment sets none. */
export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  MLOPS_HEADERS_TIMEOUT_MS: 10_000,
  MLOPS_REQUEST_TIMEOUT_MS: 300_000,
  MLOPS_KEEP_ALIVE_TIMEOUT_MS: 65_000,
  MLOPS_MAX_CONNECTIONS_PER_CLIENT: 256,
};

/**
 * Where a server listens and how long and how often one client may hold it. Every app spreads
 * this into its env schema (through `hostEnv`) and passes the parsed values to
 * `applyServerLimits` before it listens.
 */
export const serverEnv = {
  /** Listen address: loopback for the embedded start; containers set 0.0.0.0. */
  MLOPS_BIND: z.string().min(1).default('127.0.0.1'),
  /** A client must finish its request line and headers within this (and send something at all). */
  MLOPS_HEADERS_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(DEFAULT_SERVER_LIMITS.MLOPS_HEADERS_TIMEOUT_MS),
  /** A client must finish sending a whole request (body included, e.g. an upload) within this. */
  MLOPS_REQUEST_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(DEFAULT_SERVER_LIMITS.MLOPS_REQUEST_TIMEOUT_MS),
  /** An idle keep-alive connection is closed after this: longer than a load balancer's 60 s. */
  MLOPS_KEEP_ALIVE_TIMEOUT_MS: z.coerce
    .number()
    .int()
    .min(100)
    .default(DEFAULT_SERVER_LIMITS.MLOPS_KEEP_ALIVE_TIMEOUT_MS),
  /** Open connections one client address may hold at once; more are closed at once. */
  MLOPS_MAX_CONNECTIONS_PER_CLIENT: z.coerce
    .number()
    .int()
    .min(1)
    .default(DEFAULT_SERVER_LIMITS.MLOPS_MAX_CONNECTIONS_PER_CLIENT),
};

interface WarnLogger {
  warn(obj: object, msg: string): void;
}

/**
 * Bound what a slow or greedy client can hold (issue #16: 70 slowloris sockets kept a service
 * for 30 s and more): header, request and keep-alive timeouts on the Node server (Fastify
 * leaves the request timeout off), a close for connections that send nothing, and a cap on
 * concurrent connections per client address. Call on `app.server` before `listen`.
 */
export function applyServerLimits(
  server: Server,
  limits: ServerLimits,
  logger?: WarnLogger,
  onRefused?: (client: string) => void,
): void {
  const headersMs = limits.MLOPS_HEADERS_TIMEOUT_MS;
  if (limits.MLOPS_REQUEST_TIMEOUT_MS < headersMs)
    throw new ConfigError(
      `Invalid environment configuration:\n  MLOPS_REQUEST_TIMEOUT_MS: must be at least MLOPS_HEADERS_TIMEOUT_MS (${headersMs})`,
    );
  server.headersTimeout = headersMs;
  server.requestTimeout = limits.MLOPS_REQUEST_TIMEOUT_MS;
  server.keepAliveTimeout = limits.MLOPS_KEEP_ALIVE_TIMEOUT_MS;
  // Node checks the two timeouts every 30 s by default, which lets a slow client stay up to 30 s
  // past them; read when the server starts listening.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval =
    Math.max(100, Math.min(1_000, Math.floor(headersMs / 4)));

  const perClient = new Map<string, number>();
  const warned = new Set<string>();
  const firstRequest = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('connection', (socket: Socket) => {
    const client = clientAddress(socket);
    const open = perClient.get(client) ?? 0;
    if (open >= limits.MLOPS_MAX_CONNECTIONS_PER_CLIENT) {
      onRefused?.(client);
      if (!warned.has(client)) {
        warned.add(client);
        logger?.warn(
          { client, limit: limits.MLOPS_MAX_CONNECTIONS_PER_CLIENT },
          'too many connections from one client; closing the new ones',
        );
      }
      socket.destroy();
      return;
    }
    perClient.set(client, open + 1);
    // Node's header timeout starts with the first byte: a socket that sends nothing is closed here.
    const silent = setTimeout(() => {
      if (socket.bytesRead === 0) socket.destroy();
    }, headersMs);
    silent.unref();
    firstRequest.set(socket, silent);
    socket.once('close', () => {
      clearTimeout(silent);
      const left = (perClient.get(client) ?? 1) - 1;
      if (left > 0) perClient.set(client, left);
      else {
        perClient.delete(client);
        warned.delete(client);
      }
    });
  });
  const spoke = (req: IncomingMessage) => clearTimeout(firstRequest.get(req.socket));
  server.on('request', spoke);
  server.on('upgrade', spoke);
}

/** IPv4 clients of a dual-stack server appear as `::ffff:a.b.c.d`: count them as one. */
function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
