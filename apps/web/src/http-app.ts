import fs from 'node:fs';
import path from 'node:path';
import Fastify from 'fastify';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fastifyStatic from '@fastify/static';
import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { AppError } from '@mlops/contracts';
import {
  applyServerLimits,
  createLogger,
  DEFAULT_SERVER_LIMITS,
  type Logger,
  type ServerLimits,
} from '@mlops/config';
import { upstreamHealthy } from './upstream-health';
import { registerProxy } from './proxy/register-proxy';

/** Base URL of each service the dashboard proxies to. */
export type Upstreams = Record<'registry' | 'serving' | 'monitor', string>;

export interface WebDeps {
  upstreams: Upstreams;
  /** Output of `vite build` (index.html + assets). */
  distDir: string;
  logger?: Logger;
  /** PEM of a CA to trust for https upstreams (WEB_UPSTREAM_CA_FILE), besides the system's. */
  upstreamCa?: string | undefined;
  /** Timeouts and per-client connection bound, as every app's (`MLOPS_*_TIMEOUT_MS`, ...). */
  limits?: Partial<ServerLimits>;
}

/** Path prefix under which the browser reaches each service (see src/api/urls.ts). */
export const PROXY_PREFIXES = {
  registry: '/registry',
  serving: '/serving',
  monitor: '/monitor',
} as const;

/**
 * The dashboard's server: the built single-page app plus a streaming proxy to the registry,
 * serving and monitor, so the browser talks to one origin and no service needs CORS.
 */
export async function buildApp(deps: WebDeps): Promise<FastifyInstance> {
  const baseLogger: FastifyBaseLogger = deps.logger ?? createLogger('web');
  const app = Fastify({ loggerInstance: baseLogger, routerOptions: { maxParamLength: 5000 } });

  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const proxied = new Counter({
    name: 'web_proxied_requests_total',
    help: 'Requests forwarded to a service, by service and status class',
    labelNames: ['service', 'status'] as const,
    registers: [registry],
  });
  const refusedPaths = new Counter({
    name: 'web_proxy_refused_paths_total',
    help: 'Proxied requests refused because their path could leave the configured upstream',
    labelNames: ['service'] as const,
    registers: [registry],
  });
  const refusedConnections = new Counter({
    name: 'web_refused_connections_total',
    help: 'Sockets closed at once because their client already held the maximum',
    registers: [registry],
  });
  applyServerLimits(app.server, { ...DEFAULT_SERVER_LIMITS, ...deps.limits }, app.log, () =>
    refusedConnections.inc(),
  );
  app.addHook('onResponse', (request, reply, done) => {
    const service = Object.entries(PROXY_PREFIXES).find(([, p]) =>
      request.url.startsWith(`${p}/`),
    )?.[0];
    if (service) proxied.inc({ service, status: `${Math.floor(reply.statusCode / 100)}xx` });
    done();
  });

  app.get('/healthz', () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    const checks = await Promise.all(
      Object.entries(deps.upstreams).map(
        async ([name, url]) => [name, await upstreamHealthy(url, deps.upstreamCa)] as const,
      ),
    );
    const services = Object.fromEntries(checks);
    const assets = fs.existsSync(path.join(deps.distDir, 'index.html'));
    const ready = assets && checks.every(([, ok]) => ok);
    return reply
      .code(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'not ready', assets, services });
  });
  app.get('/metrics', async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );

  for (const service of ['registry', 'serving', 'monitor'] as const) {
    registerProxy(app, {
      prefix: PROXY_PREFIXES[service],
      upstream: deps.upstreams[service],
      ca: deps.upstreamCa,
      onRefused: () => refusedPaths.inc({ service }),
    });
  }

  if (fs.existsSync(path.join(deps.distDir, 'index.html'))) {
    await app.register(fastifyStatic, { root: deps.distDir, prefix: '/', wildcard: true });
  } else {
    app.log.warn({ distDir: deps.distDir }, 'no built assets: run "npm run build -w @mlops/web"');
    app.get('/', (_request, reply) => {
      const err = new AppError(
        'UNAVAILABLE',
        `the dashboard is not built (${deps.distDir} has no index.html): run "npm run build -w @mlops/web"`,
      );
      return reply.code(err.httpStatus).send(err.toBody());
    });
  }

  app.setNotFoundHandler((request, reply) => {
    const err = new AppError(
      'NOT_FOUND',
      `nothing at ${request.method} ${request.url.split('?')[0]}`,
    );
    return reply.code(err.httpStatus).send(err.toBody());
  });
  return app;
}
