import { registryApi } from '@mlops/contracts';
import { failEvaluation } from '../../../domain/evaluations';
import { scopedProcedure } from '../../init';

const api = registryApi.evaluations.fail;

/** The trainer's (scope `train`). */
export const evaluationsFail = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => failEvaluation(ctx.deps, input.id, input.error));
