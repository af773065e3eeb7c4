import { registryApi } from '@mlops/contracts';
import { searchRuns } from '@mlops/storage';
import { readProcedure } from '../../init';

const api = registryApi.runs.search;

export const runsSearch = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    searchRuns(ctx.deps.db, {
      limit: input.limit,
      ...(input.model !== undefined ? { model: input.model } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      ...(input.metric !== undefined ? { metric: input.metric } : {}),
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    }),
  );
