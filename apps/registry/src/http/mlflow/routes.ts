import type { MlflowRpc, TokenScope } from '@mlops/contracts';
import type { MlflowCall } from '../../domain/mlflow/context';
import * as aliases from '../../domain/mlflow/aliases';
import * as versions from '../../domain/mlflow/model-versions';
import * as models from '../../domain/mlflow/registered-models';

/** MLflow's REST prefix: `/api/2.0` + the proto's `/mlflow/...` paths. */
export const MLFLOW_PREFIX = '/api/2.0/mlflow';

export interface MlflowRoute {
  /** MLflow's rpc name; its request and response schemas are `mlflowApi[rpc]` (contracts). */
  rpc: MlflowRpc;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** As in model_registry.proto, under MLFLOW_PREFIX. */
  path: string;
  scope: TokenScope;
  handler: (call: MlflowCall, input: never) => Promise<object>;
}

/**
 * Every MLflow registry route, one row each: method and path as model_registry.proto declares
 * them, the scope the access hook checks before the body is read (reads `read`, metadata
 * `write`, aliases `promote` like aliases.set, deletions `admin` like versions.delete).
 * The OpenAPI document can describe each from `mlflowApi[rpc]`.
 */
export const MLFLOW_ROUTES: readonly MlflowRoute[] = [
  {
    rpc: 'createRegisteredModel',
    method: 'POST',
    path: '/registered-models/create',
    scope: 'write',
    handler: models.createRegisteredModel,
  },
  {
    rpc: 'renameRegisteredModel',
    method: 'POST',
    path: '/registered-models/rename',
    scope: 'write',
    handler: models.renameRegisteredModel,
  },
  {
    rpc: 'updateRegisteredModel',
    method: 'PATCH',
    path: '/registered-models/update',
    scope: 'write',
    handler: models.updateRegisteredModel,
  },
  {
    rpc: 'deleteRegisteredModel',
    method: 'DELETE',
    path: '/registered-models/delete',
    scope: 'admin',
    handler: models.deleteRegisteredModel,
  },
  {
    rpc: 'getRegisteredModel',
    method: 'GET',
    path: '/registered-models/get',
    scope: 'read',
    handler: models.getRegisteredModel,
  },
  {
    rpc: 'searchRegisteredModels',
    method: 'GET',
    path: '/registered-models/search',
    scope: 'read',
    handler: models.searchRegisteredModels,
  },
  {
    rpc: 'getLatestVersions',
    method: 'POST',
    path: '/registered-models/get-latest-versions',
    scope: 'read',
    handler: models.getLatestVersions,
  },
  {
    rpc: 'getLatestVersions',
    method: 'GET',
    path: '/registered-models/get-latest-versions',
    scope: 'read',
    handler: models.getLatestVersions,
  },
  {
    rpc: 'setRegisteredModelTag',
    method: 'POST',
    path: '/registered-models/set-tag',
    scope: 'write',
    handler: models.setRegisteredModelTag,
  },
  {
    rpc: 'deleteRegisteredModelTag',
    method: 'DELETE',
    path: '/registered-models/delete-tag',
    scope: 'write',
    handler: models.deleteRegisteredModelTag,
  },
  {
    rpc: 'setRegisteredModelAlias',
    method: 'POST',
    path: '/registered-models/alias',
    scope: 'promote',
    handler: aliases.setRegisteredModelAlias,
  },
  {
    rpc: 'deleteRegisteredModelAlias',
    method: 'DELETE',
    path: '/registered-models/alias',
    scope: 'promote',
    handler: aliases.deleteRegisteredModelAlias,
  },
  {
    rpc: 'getModelVersionByAlias',
    method: 'GET',
    path: '/registered-models/alias',
    scope: 'read',
    handler: aliases.getModelVersionByAlias,
  },
  {
    rpc: 'createModelVersion',
    method: 'POST',
    path: '/model-versions/create',
    scope: 'write',
    handler: versions.createModelVersion,
  },
  {
    rpc: 'updateModelVersion',
    method: 'PATCH',
    path: '/model-versions/update',
    scope: 'write',
    handler: versions.updateModelVersion,
  },
  {
    rpc: 'deleteModelVersion',
    method: 'DELETE',
    path: '/model-versions/delete',
    scope: 'admin',
    handler: versions.deleteModelVersion,
  },
  {
    rpc: 'getModelVersion',
    method: 'GET',
    path: '/model-versions/get',
    scope: 'read',
    handler: versions.getModelVersion,
  },
  {
    rpc: 'searchModelVersions',
    method: 'GET',
    path: '/model-versions/search',
    scope: 'read',
    handler: versions.searchModelVersions,
  },
  {
    rpc: 'getModelVersionDownloadUri',
    method: 'GET',
    path: '/model-versions/get-download-uri',
    scope: 'read',
    handler: versions.getModelVersionDownloadUri,
  },
  {
    rpc: 'setModelVersionTag',
    method: 'POST',
    path: '/model-versions/set-tag',
    scope: 'write',
    handler: versions.setModelVersionTag,
  },
  {
    rpc: 'deleteModelVersionTag',
    method: 'DELETE',
    path: '/model-versions/delete-tag',
    scope: 'write',
    handler: versions.deleteModelVersionTag,
  },
];
