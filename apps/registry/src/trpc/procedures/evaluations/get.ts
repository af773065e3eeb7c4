import { registryApi } from '@mlops/contracts';
import { getEvaluationOrThrow } from '../../../domain/evaluations';
import { publicProcedure } from '../../init';

const api = registryApi.evaluations.get;

export const evaluationsGet = publicProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getEvaluationOrThrow(ctx.deps, input.id));
