import type { HttpMethod, registryApi } from '@mlops/contracts';

type Api = typeof registryApi;
/** `group.name` of every procedure in contracts `registryApi` (`versions.get`, …). */
type Group = Extract<keyof Api, string>;
export type ProcedurePath = { [G in Group]: `${G}.${Extract<keyof Api[G], string>}` }[Group];

export interface RestRoute {
  method: HttpMethod;
  /** OpenAPI template; `{x}` is the procedure's input key `x`. */
  path: string;
  summary: string;
}

export const REST_PREFIX = '/api/v1';

/**
 * The REST face of the registry: one resource URL per tRPC procedure, with the one-line
 * summary the OpenAPI document shows. Keyed by procedure so the compiler refuses a procedure
 * added to `registryApi` without its route (and rest.test.ts refuses one added to the router
 * only). Path parameters are input keys; the other keys are query parameters for GET and
 * DELETE, JSON body fields otherwise. Searches live under `/search/…` so that no resource
 * name (a model called `search`) is shadowed by a fixed path segment.
 */
export const REST_ROUTES: Record<ProcedurePath, RestRoute> = {
  'datasets.list': r('GET', '/datasets', 'List dataset versions, newest first (by `name`)'),
  'datasets.get': r('GET', '/datasets/{name}', 'A dataset version (latest, or `version`)'),
  'datasets.search': r('GET', '/search/datasets', 'Search datasets by name substring'),
  'datasets.delete': r('DELETE', '/datasets/{name}/versions/{version}', 'Delete a dataset version'),
  'datasets.getPolicy': r('GET', '/datasets/{name}/policy', "A dataset's training policy"),
  'datasets.setPolicy': r(
    'PUT',
    '/datasets/{name}/policy',
    'Set when training is refused for validation anomalies',
  ),

  'runs.create': r('POST', '/runs', 'Queue a training run'),
  'runs.get': r('GET', '/runs/{id}', 'A run, with its status, progress and metrics'),
  'runs.list': r('GET', '/runs', 'List runs, newest first (by `model`, `status`)'),
  'runs.search': r('GET', '/search/runs', 'Search runs by model, status and a metric range'),
  'runs.start': r('POST', '/runs/{id}/start', 'Trainer: mark a run started'),
  'runs.progress': r('POST', '/runs/{id}/progress', 'Trainer: report progress'),
  'runs.complete': r('POST', '/runs/{id}/complete', 'Trainer: complete a run with its metrics'),
  'runs.fail': r('POST', '/runs/{id}/fail', 'Trainer: fail a run'),
  'runs.cancel': r('POST', '/runs/{id}/cancel', 'Cancel a queued or running run'),

  'models.list': r('GET', '/models', 'List models'),
  'models.get': r('GET', '/models/{name}', 'A model, with its aliases and latest version'),
  'models.search': r('GET', '/search/models', 'Search models by name substring or alias'),

  'versions.list': r('GET', '/models/{model}/versions', "List a model's versions"),
  'versions.get': r('GET', '/models/{model}/versions/{version}', 'A model version'),
  'versions.resolve': r('GET', '/models/{model}/aliases/{alias}', 'The version an alias points at'),
  'versions.create': r('POST', '/models/{model}/versions', 'Register a version from stored blobs'),
  'versions.import': r('POST', '/models/{model}/imports', 'Import a TF.js model trained elsewhere'),
  'versions.compatibility': r(
    'GET',
    '/models/{model}/versions/{version}/compatibility',
    "A version's input-signature compatibility",
  ),
  'versions.delete': r('DELETE', '/models/{model}/versions/{version}', 'Delete a model version'),
  'versions.search': r(
    'GET',
    '/search/models/{model}/versions',
    "Search a model's versions by a metric range",
  ),
  'versions.evaluate': r(
    'POST',
    '/models/{model}/versions/{version}/evaluations',
    'Re-evaluate a version on a dataset (platform metrics)',
  ),

  'pipelines.register': r('POST', '/pipelines', 'Register (or update) a pipeline definition'),
  'pipelines.list': r('GET', '/pipelines', 'List registered pipelines'),
  'pipelines.get': r('GET', '/pipelines/{name}', 'A registered pipeline and its definition'),
  'pipelines.run': r('POST', '/pipelines/{name}/runs', 'Start a pipeline run'),
  'pipelines.runs': r('GET', '/pipeline-runs', 'List pipeline runs, newest first'),
  'pipelines.schedules': r('GET', '/pipeline-schedules', "Pipelines' schedules and next ticks"),
  'pipelines.getRun': r('GET', '/pipeline-runs/{id}', 'A pipeline run with its steps'),
  'pipelines.cancel': r('POST', '/pipeline-runs/{id}/cancel', 'Cancel a pipeline run'),
  'pipelines.claimStep': r(
    'POST',
    '/pipeline-runs/{runId}/steps/{stepId}/claim',
    'Worker: take a step',
  ),
  'pipelines.saveStepState': r(
    'POST',
    '/pipeline-runs/{runId}/steps/{stepId}/state',
    'Worker: save resume state',
  ),
  'pipelines.completeStep': r(
    'POST',
    '/pipeline-runs/{runId}/steps/{stepId}/complete',
    'Worker: complete a step',
  ),
  'pipelines.failStep': r(
    'POST',
    '/pipeline-runs/{runId}/steps/{stepId}/fail',
    'Worker: fail a step',
  ),
  'pipelines.skipSteps': r('POST', '/pipeline-runs/{runId}/skip', 'Worker: skip steps'),
  'lineage.get': r('GET', '/lineage', 'Where an artifact came from and what came of it'),
  'pipelines.cacheLookup': r('POST', '/pipeline-cache/lookup', 'Step command: read the step cache'),
  'pipelines.cacheStore': r('POST', '/pipeline-cache', 'Step command: fill the step cache'),

  'evaluations.get': r('GET', '/evaluations/{id}', 'An evaluation'),
  'evaluations.list': r('GET', '/models/{model}/evaluations', "List a model's evaluations"),
  'evaluations.start': r('POST', '/evaluations/{id}/start', 'Trainer: mark an evaluation started'),
  'evaluations.complete': r('POST', '/evaluations/{id}/complete', 'Trainer: record its metrics'),
  'evaluations.fail': r('POST', '/evaluations/{id}/fail', 'Trainer: fail an evaluation'),

  'artifacts.gc': r('POST', '/artifacts/gc', 'Delete stored blobs nothing refers to'),

  'aliases.list': r('GET', '/models/{model}/aliases', "List a model's aliases"),
  'aliases.set': r('PUT', '/models/{model}/aliases/{alias}', 'Create or move an alias (promote)'),
  'aliases.delete': r('DELETE', '/models/{model}/aliases/{alias}', 'Delete an alias'),
  'aliases.rollback': r(
    'POST',
    '/models/{model}/aliases/{alias}/rollback',
    'Move an alias back to its previous version',
  ),
  'aliases.history': r('GET', '/models/{model}/alias-history', 'The alias audit trail'),

  'policies.get': r('GET', '/models/{model}/policies/{alias}', "An alias's promotion policy"),
  'policies.set': r('PUT', '/models/{model}/policies/{alias}', 'Set a promotion policy'),
  'policies.delete': r('DELETE', '/models/{model}/policies/{alias}', 'Delete a promotion policy'),
  'policies.evaluate': r(
    'GET',
    '/models/{model}/policies/{alias}/verdict',
    'Dry run: what the gate would answer for `version`',
  ),

  'tokens.create': r('POST', '/tokens', 'Create an API token (its secret is shown once)'),
  'tokens.list': r('GET', '/tokens', 'List API tokens'),
  'tokens.revoke': r('DELETE', '/tokens/{id}', 'Revoke an API token'),

  'webhooks.create': r('POST', '/webhooks', 'Create an outbound webhook'),
  'webhooks.list': r('GET', '/webhooks', 'List webhooks'),
  'webhooks.delete': r('DELETE', '/webhooks/{id}', 'Delete a webhook'),
  'webhooks.deliveries': r('GET', '/webhooks/{id}/deliveries', "A webhook's delivery log"),

  'events.recent': r('GET', '/events', 'Recent platform events, newest first'),
  'auth.whoami': r('GET', '/auth/whoami', "The caller's token: name, id and scopes"),
};

function r(method: HttpMethod, path: string, summary: string): RestRoute {
  return { method, path: `${REST_PREFIX}${path}`, summary };
}

/** Fastify's pattern for an OpenAPI template: `{name}` → `:name`. */
export function fastifyUrl(path: string): string {
  return path.replace(/\{([A-Za-z0-9_]+)\}/g, ':$1');
}
