import { registryApi } from '@mlops/contracts';
import { reportProgress } from '../../../domain/runs';
import { scopedProcedure } from '../../init';

const api = registryApi.runs.progress;

/** The trainer's (scope `train`): a `write` token cannot report on runs. */
export const runsProgress = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) =>
    reportProgress(ctx.deps, input.id, input.progress, input.curve).then(() => ({
      ok: true as const,
    })),
  );
