import { registryApi } from '@mlops/contracts';
import { completeRun } from '../../../domain/runs';
import { scopedProcedure } from '../../init';

const api = registryApi.runs.complete;

/**
 * Scope `train`: the metrics a run completes with become its version's platform metrics (what
 * promotion gates read), so only the platform's trainer may report them.
 */
export const runsComplete = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) =>
    completeRun(
      ctx.deps,
      input.id,
      input.metrics,
      input.version,
      ctx.principal,
      input.rows,
      input.modelTests,
    ),
  );
