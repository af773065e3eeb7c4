import { mlflowApi, mlflowErrorBodySchema, type ApiOperation } from '@mlops/contracts';
import { MLFLOW_PREFIX, MLFLOW_ROUTES } from './routes';

/**
 * The MLflow-compatible routes as OpenAPI operations, from the same table that registers them
 * and the same request/response schemas (contracts `mlflowApi`): the registry's document
 * describes both faces. A GET reads its message from the query string, any other method from
 * the JSON body, as MLflow's server does.
 */
export function mlflowOperations(): ApiOperation[] {
  return MLFLOW_ROUTES.map((route) => {
    const api = mlflowApi[route.rpc];
    return {
      method: route.method,
      path: `${MLFLOW_PREFIX}${route.path}`,
      // getLatestVersions answers GET and POST: one operationId per method.
      operationId: `mlflow.${route.rpc}${route.method === 'GET' ? '' : `.${route.method.toLowerCase()}`}`,
      summary: `MLflow ${route.rpc}`,
      description:
        'MLflow model registry REST API (model_registry.proto), mapped onto our models, versions and aliases.',
      tag: 'mlflow',
      access: { scope: route.scope },
      input: api.request,
      inputIn: route.method === 'GET' ? 'query' : 'body',
      output: api.response,
      errorBody: mlflowErrorBodySchema,
    } satisfies ApiOperation;
  });
}
