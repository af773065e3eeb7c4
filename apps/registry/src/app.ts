import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import { REGISTRY_REST } from '@mlops/contracts';
import { loggerOptions, trackRoutes } from '@mlops/config';
import { closeDeps, type RegistryDeps } from './deps';
import { startScheduleWorker } from './domain/pipelines/triggers';
import { registerBlobRoutes } from './http/blobs';
import { registerDatasetRoutes } from './http/datasets';
import { registerAccessControl } from './http/access';
import { registerErrorHandling } from './http/errors';
import { registerHealthRoutes } from './http/health';
import { mlflowOperations } from './http/mlflow/openapi';
import { registerMlflowRoutes } from './http/mlflow/register';
import { registerOpenApiRoutes } from './rest/openapi';
import { registerRestRoutes } from './rest/routes';
import { TRPC_ACCESS } from './trpc/access';
import { guardTrpcTransport } from './trpc/transport';
import { appRouter, type AppRouter } from './trpc/router';
import type { TrpcContext } from './trpc/context';

const DEFAULT_MAX_JSON_BYTES = 16 * 1024 ** 2;

export interface BuildOptions {
  logLevel?: string;
  /** Largest tRPC (JSON) body (default 16 MiB, REGISTRY_MAX_JSON_BYTES). */
  maxJsonBytes?: number;
  /** Close db/redis/queue with the app (default true). */
  closeDepsOnClose?: boolean;
}

/** Build the registry app on `deps`; every client is closed in onClose. */
export async function buildApp(
  deps: RegistryDeps,
  opts: BuildOptions = {},
): Promise<FastifyInstance> {
  const maxJsonBytes = opts.maxJsonBytes ?? DEFAULT_MAX_JSON_BYTES;
  const app = Fastify({
    logger: loggerOptions('registry', opts.logLevel ?? 'info'),
    routerOptions: { maxParamLength: 5000 },
    // Dataset and blob routes stream their bodies and enforce REGISTRY_MAX_UPLOAD_BYTES
    // themselves; this limit applies to buffered (tRPC JSON) bodies, sized to the largest
    // real one (a model manifest) and read only once the access hook let the caller in.
    bodyLimit: maxJsonBytes,
  });
  trackRoutes(app);
  registerAccessControl(app, deps, TRPC_ACCESS(REGISTRY_REST.trpc));
  registerErrorHandling(app);
  registerRequestMetrics(app, deps);
  registerHealthRoutes(app, deps);
  registerDatasetRoutes(app, deps);
  registerBlobRoutes(app, deps);
  // The REST face (/api/v1) calls the same procedures as /trpc; /openapi.json describes both.
  registerRestRoutes(app, deps);
  registerMlflowRoutes(app, deps);
  registerOpenApiRoutes(app, mlflowOperations());
  await app.register(async (trpc) => {
    guardTrpcTransport(trpc, maxJsonBytes);
    await trpc.register(fastifyTRPCPlugin, {
      prefix: REGISTRY_REST.trpc,
      trpcOptions: {
        router: appRouter,
        createContext: ({ req }): TrpcContext => ({ deps, principal: req.principal }),
        maxBodySize: maxJsonBytes,
        onError: ({ error, path }) => {
          if (error.code === 'INTERNAL_SERVER_ERROR')
            app.log.error({ err: error, path }, 'tRPC procedure failed');
        },
      },
    } satisfies FastifyTRPCPluginOptions<AppRouter>);
  });
  // Pipelines' schedule ticks (domain/pipelines/triggers.ts says why the registry takes them).
  const ticks = startScheduleWorker(deps);
  app.addHook('preClose', () => ticks.close());
  if (opts.closeDepsOnClose ?? true) app.addHook('onClose', () => closeDeps(deps));
  return app;
}

function registerRequestMetrics(app: FastifyInstance, deps: RegistryDeps): void {
  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, not the URL: bounded label cardinality.
    const route = request.routeOptions.url ?? 'unmatched';
    const labels = { method: request.method, route, status: String(reply.statusCode) };
    deps.metrics.httpRequests.inc(labels);
    deps.metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
