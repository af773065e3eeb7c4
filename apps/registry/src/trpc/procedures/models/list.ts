import { registryApi } from '@mlops/contracts';
import { listAllModels } from '../../../domain/models';
import { readProcedure } from '../../init';

const api = registryApi.models.list;

export const modelsList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listAllModels(ctx.deps, input.limit));
