import { registryApi } from '@mlops/contracts';
import { datasetPolicyOf } from '../../../domain/datasets/validation';
import { readProcedure } from '../../init';

const api = registryApi.datasets.getPolicy;

export const datasetsGetPolicy = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => datasetPolicyOf(ctx.deps, input.name));
