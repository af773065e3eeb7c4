import { registryApi } from '@mlops/contracts';
import { completeEvaluation } from '../../../domain/evaluations';
import { scopedProcedure } from '../../init';

const api = registryApi.evaluations.complete;

/** Scope `train`: what it records becomes the version's platform metrics. */
export const evaluationsComplete = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => completeEvaluation(ctx.deps, input, ctx.principal));
