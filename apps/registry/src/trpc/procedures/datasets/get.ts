import { registryApi } from '@mlops/contracts';
import { getDataset } from '../../../domain/datasets/queries';
import { readProcedure } from '../../init';

const api = registryApi.datasets.get;

export const datasetsGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getDataset(ctx.deps, input.name, input.version));
