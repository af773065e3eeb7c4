import { registryApi } from '@mlops/contracts';
import { requestEvaluation } from '../../../domain/evaluations';
import { protectedProcedure } from '../../init';

const api = registryApi.versions.evaluate;

/** Scope `write`: asks the platform to measure a version; the numbers come from the trainer. */
export const versionsEvaluate = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => requestEvaluation(ctx.deps, input, ctx.principal));
