import { registryApi } from '@mlops/contracts';
import { startRun } from '../../../domain/runs';
import { scopedProcedure } from '../../init';

const api = registryApi.runs.start;

/** The trainer's (scope `train`): a `write` token cannot report on runs. */
export const runsStart = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => startRun(ctx.deps, input.id, input.backend));
