import { router } from './init';
import { datasetsList } from './procedures/datasets/list';
import { datasetsGet } from './procedures/datasets/get';
import { runsCreate } from './procedures/runs/create';
import { runsGet } from './procedures/runs/get';
import { runsList } from './procedures/runs/list';
import { runsStart } from './procedures/runs/start';
import { runsProgress } from './procedures/runs/progress';
import { runsComplete } from './procedures/runs/complete';
import { runsFail } from './procedures/runs/fail';
import { modelsList } from './procedures/models/list';
import { modelsGet } from './procedures/models/get';
import { versionsList } from './procedures/versions/list';
import { versionsGet } from './procedures/versions/get';
import { versionsResolve } from './procedures/versions/resolve';
import { versionsCreate } from './procedures/versions/create';
import { aliasesList } from './procedures/aliases/list';
import { aliasesSet } from './procedures/aliases/set';
import { aliasesDelete } from './procedures/aliases/delete';
import { eventsRecent } from './procedures/events/recent';

/**
 * The registry's API, one procedure per entry of contracts `registryApi`; the client exposes
 * it as `client.api`, e.g. `client.api.runs.get.query(...)`. Other apps import only `type AppRouter`.
 */
export const appRouter = router({
  datasets: router({
    list: datasetsList,
    get: datasetsGet,
  }),
  runs: router({
    create: runsCreate,
    get: runsGet,
    list: runsList,
    start: runsStart,
    progress: runsProgress,
    complete: runsComplete,
    fail: runsFail,
  }),
  models: router({
    list: modelsList,
    get: modelsGet,
  }),
  versions: router({
    list: versionsList,
    get: versionsGet,
    resolve: versionsResolve,
    create: versionsCreate,
  }),
  aliases: router({
    list: aliasesList,
    set: aliasesSet,
    delete: aliasesDelete,
  }),
  events: router({
    recent: eventsRecent,
  }),
});

export type AppRouter = typeof appRouter;
