import { registryApi } from '@mlops/contracts';
import { searchModels } from '@mlops/storage';
import { readProcedure } from '../../init';

const api = registryApi.models.search;

export const modelsSearch = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    searchModels(ctx.deps.db, {
      limit: input.limit,
      ...(input.nameContains !== undefined ? { nameContains: input.nameContains } : {}),
      ...(input.alias !== undefined ? { alias: input.alias } : {}),
      ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
    }),
  );
