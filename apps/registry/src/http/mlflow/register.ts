import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError, mlflowApi } from '@mlops/contracts';
import type { RegistryDeps } from '../../deps';
import { scoped } from '../streams';
import { parseMessage, toMlflowError } from './errors';
import { MLFLOW_PREFIX, MLFLOW_ROUTES } from './routes';

/**
 * The MLflow model registry REST API (docs/registry.md, "MLflow compatibility"). Its routes
 * live in their own scope so their errors answer MLflow's `{error_code, message}`, refusals
 * of the access hook (run before the body is read, as for every route) included.
 */
export function registerMlflowRoutes(app: FastifyInstance, deps: RegistryDeps): void {
  void app.register(
    (scope, _opts, done) => {
      scope.setErrorHandler((err, request, reply) => {
        const { status, body } = toMlflowError(err);
        if (status >= 500) request.log.error({ err }, 'MLflow API call failed');
        return reply.status(status).send(body);
      });
      for (const route of MLFLOW_ROUTES) {
        const api = mlflowApi[route.rpc];
        scope.route({
          method: route.method,
          url: route.path,
          ...scoped(deps, route.scope),
          handler: async (request) => {
            const input = parseMessage(api.request, messageOf(request));
            const call = { deps, principal: request.principal };
            return route.handler(call, input as never);
          },
        });
      }
      // An unknown path under the prefix: MLflow's ENDPOINT_NOT_FOUND, not our error shape.
      scope.setNotFoundHandler((request, reply) => {
        const { status, body } = toMlflowError(
          new AppError(
            'NOT_FOUND',
            `no route ${request.method} ${request.url.split('?')[0] ?? ''}`,
          ),
        );
        return reply.status(status).send(body);
      });
      done();
    },
    { prefix: MLFLOW_PREFIX },
  );
}

/**
 * MLflow's server reads a GET's message from the query string and any other method's from
 * the JSON body; a DELETE sent with query parameters instead (some clients do) is read too.
 */
function messageOf(request: FastifyRequest): unknown {
  if (request.method === 'GET') return request.query;
  const body = request.body;
  if (body === undefined || body === null || body === '') return request.query;
  return body;
}
