import { registryApi } from '@mlops/contracts';
import { getModelOrThrow } from '../../../domain/models';
import { readProcedure } from '../../init';

const api = registryApi.models.get;

export const modelsGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getModelOrThrow(ctx.deps, input.name));
