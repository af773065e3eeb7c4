import { router } from './init';
import { datasetsList } from './procedures/datasets/list';
import { datasetsGet } from './procedures/datasets/get';
import { datasetsGetPolicy } from './procedures/datasets/get-policy';
import { datasetsSetPolicy } from './procedures/datasets/set-policy';
import { runsCreate } from './procedures/runs/create';
import { runsGet } from './procedures/runs/get';
import { runsList } from './procedures/runs/list';
import { runsStart } from './procedures/runs/start';
import { runsProgress } from './procedures/runs/progress';
import { runsComplete } from './procedures/runs/complete';
import { runsFail } from './procedures/runs/fail';
import { runsCancel } from './procedures/runs/cancel';
import { runsSearch } from './procedures/runs/search';
import { modelsList } from './procedures/models/list';
import { modelsGet } from './procedures/models/get';
import { versionsList } from './procedures/versions/list';
import { versionsGet } from './procedures/versions/get';
import { versionsResolve } from './procedures/versions/resolve';
import { versionsCreate } from './procedures/versions/create';
import { versionsImport } from './procedures/versions/import';
import { aliasesList } from './procedures/aliases/list';
import { aliasesSet } from './procedures/aliases/set';
import { aliasesDelete } from './procedures/aliases/delete';
import { aliasesRollback } from './procedures/aliases/rollback';
import { aliasesHistory } from './procedures/aliases/history';
import { eventsRecent } from './procedures/events/recent';
import { versionsCompatibility } from './procedures/versions/compatibility';
import { policiesGet } from './procedures/policies/get';
import { policiesSet } from './procedures/policies/set';
import { policiesDelete } from './procedures/policies/delete';
import { policiesEvaluate } from './procedures/policies/evaluate';
import { tokensCreate } from './procedures/tokens/create';
import { tokensList } from './procedures/tokens/list';
import { tokensRevoke } from './procedures/tokens/revoke';
import { modelsSearch } from './procedures/models/search';
import { versionsSearch } from './procedures/versions/search';
import { datasetsSearch } from './procedures/datasets/search';
import { artifactsGc } from './procedures/artifacts/gc';
import { versionsDelete } from './procedures/versions/delete';
import { datasetsDelete } from './procedures/datasets/delete';
import { webhooksCreate } from './procedures/webhooks/create';
import { webhooksList } from './procedures/webhooks/list';
import { webhooksDelete } from './procedures/webhooks/delete';
import { webhooksDeliveries } from './procedures/webhooks/deliveries';
import { authWhoami } from './procedures/auth/whoami';
import { versionsEvaluate } from './procedures/versions/evaluate';
import { evaluationsGet } from './procedures/evaluations/get';
import { evaluationsList } from './procedures/evaluations/list';
import { evaluationsStart } from './procedures/evaluations/start';
import { evaluationsComplete } from './procedures/evaluations/complete';
import { evaluationsFail } from './procedures/evaluations/fail';

import { pipelinesRegister } from './procedures/pipelines/register';
import { pipelinesList } from './procedures/pipelines/list';
import { pipelinesGet } from './procedures/pipelines/get';
import { pipelinesRun } from './procedures/pipelines/run';
import { pipelinesRuns } from './procedures/pipelines/runs';
import { pipelinesGetRun } from './procedures/pipelines/get-run';
import { pipelinesSchedules } from './procedures/pipelines/schedules';
import { pipelinesCancel } from './procedures/pipelines/cancel';
import { pipelinesClaimStep } from './procedures/pipelines/claim-step';
import { pipelinesSaveStepState } from './procedures/pipelines/save-step-state';
import { pipelinesCompleteStep } from './procedures/pipelines/complete-step';
import { pipelinesFailStep } from './procedures/pipelines/fail-step';
import { pipelinesSkipSteps } from './procedures/pipelines/skip-steps';
import { lineageGet } from './procedures/lineage/get';
import { pipelinesCacheLookup, pipelinesCacheStore } from './procedures/pipelines/cache';

/**
 * The registry's API, one procedure per entry of contracts `registryApi`; the client exposes
 * it as `client.api`, e.g. `client.api.runs.get.query(...)`. Other apps import only `type AppRouter`.
 */
export const appRouter = router({
  datasets: router({
    list: datasetsList,
    get: datasetsGet,
    delete: datasetsDelete,
    search: datasetsSearch,
    getPolicy: datasetsGetPolicy,
    setPolicy: datasetsSetPolicy,
  }),
  runs: router({
    create: runsCreate,
    get: runsGet,
    list: runsList,
    start: runsStart,
    progress: runsProgress,
    complete: runsComplete,
    fail: runsFail,
    cancel: runsCancel,
    search: runsSearch,
  }),
  models: router({
    list: modelsList,
    get: modelsGet,
    search: modelsSearch,
  }),
  versions: router({
    list: versionsList,
    get: versionsGet,
    resolve: versionsResolve,
    create: versionsCreate,
    import: versionsImport,
    compatibility: versionsCompatibility,
    delete: versionsDelete,
    search: versionsSearch,
    evaluate: versionsEvaluate,
  }),
  pipelines: router({
    register: pipelinesRegister,
    list: pipelinesList,
    get: pipelinesGet,
    run: pipelinesRun,
    runs: pipelinesRuns,
    getRun: pipelinesGetRun,
    schedules: pipelinesSchedules,
    cancel: pipelinesCancel,
    claimStep: pipelinesClaimStep,
    saveStepState: pipelinesSaveStepState,
    completeStep: pipelinesCompleteStep,
    failStep: pipelinesFailStep,
    skipSteps: pipelinesSkipSteps,
    cacheLookup: pipelinesCacheLookup,
    cacheStore: pipelinesCacheStore,
  }),
  lineage: router({ get: lineageGet }),
  evaluations: router({
    get: evaluationsGet,
    list: evaluationsList,
    start: evaluationsStart,
    complete: evaluationsComplete,
    fail: evaluationsFail,
  }),
  artifacts: router({
    gc: artifactsGc,
  }),
  aliases: router({
    list: aliasesList,
    set: aliasesSet,
    delete: aliasesDelete,
    rollback: aliasesRollback,
    history: aliasesHistory,
  }),
  policies: router({
    get: policiesGet,
    set: policiesSet,
    delete: policiesDelete,
    evaluate: policiesEvaluate,
  }),
  tokens: router({
    create: tokensCreate,
    list: tokensList,
    revoke: tokensRevoke,
  }),
  webhooks: router({
    create: webhooksCreate,
    list: webhooksList,
    delete: webhooksDelete,
    deliveries: webhooksDeliveries,
  }),
  events: router({
    recent: eventsRecent,
  }),
  auth: router({
    whoami: authWhoami,
  }),
});

export type AppRouter = typeof appRouter;
