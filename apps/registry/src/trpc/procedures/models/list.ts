import { registryApi } from '@mlops/contracts';
import { listAllModels } from '../../../domain/models';
import { publicProcedure } from '../../init';

const api = registryApi.models.list;

export const modelsList = publicProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listAllModels(ctx.deps, input.limit));
