import { registryApi } from '@mlops/contracts';
import { searchVersions } from '@mlops/storage';
import { readProcedure } from '../../init';

const api = registryApi.versions.search;

export const versionsSearch = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    searchVersions(ctx.deps.db, {
      model: input.model,
      limit: input.limit,
      ...(input.metric !== undefined ? { metric: input.metric } : {}),
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    }),
  );
