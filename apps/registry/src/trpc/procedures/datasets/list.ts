import { registryApi } from '@mlops/contracts';
import { listDatasets } from '../../../domain/datasets/queries';
import { publicProcedure } from '../../init';

const api = registryApi.datasets.list;

export const datasetsList = publicProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    listDatasets(ctx.deps, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      limit: input.limit,
    }),
  );
