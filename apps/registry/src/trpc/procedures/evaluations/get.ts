import { registryApi } from '@mlops/contracts';
import { getEvaluationOrThrow } from '../../../domain/evaluations';
import { readProcedure } from '../../init';

const api = registryApi.evaluations.get;

export const evaluationsGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getEvaluationOrThrow(ctx.deps, input.id));
