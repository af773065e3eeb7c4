import { registryApi } from '@mlops/contracts';
import { listDatasets } from '../../../domain/datasets/queries';
import { readProcedure } from '../../init';

const api = registryApi.datasets.list;

export const datasetsList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    listDatasets(ctx.deps, {
      ...(input.name !== undefined ? { name: input.name } : {}),
      limit: input.limit,
    }),
  );
