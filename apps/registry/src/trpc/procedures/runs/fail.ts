import { registryApi } from '@mlops/contracts';
import { failRun } from '../../../domain/runs';
import { scopedProcedure } from '../../init';

const api = registryApi.runs.fail;

/** The trainer's (scope `train`): a `write` token cannot report on runs. */
export const runsFail = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => failRun(ctx.deps, input.id, input.error));
