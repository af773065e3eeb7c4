import { registryApi } from '@mlops/contracts';
import { searchDatasets } from '@mlops/storage';
import { readProcedure } from '../../init';

const api = registryApi.datasets.search;

export const datasetsSearch = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    searchDatasets(ctx.deps.db, {
      limit: input.limit,
      ...(input.nameContains !== undefined ? { nameContains: input.nameContains } : {}),
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    }),
  );
