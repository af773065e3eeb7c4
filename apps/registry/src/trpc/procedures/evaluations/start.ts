import { registryApi } from '@mlops/contracts';
import { startEvaluation } from '../../../domain/evaluations';
import { scopedProcedure } from '../../init';

const api = registryApi.evaluations.start;

/** The trainer's (scope `train`). */
export const evaluationsStart = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => startEvaluation(ctx.deps, input.id));
