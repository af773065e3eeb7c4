import { registryApi } from '@mlops/contracts';
import { cancelRun } from '../../../domain/run-cancel';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.cancel;

export const runsCancel = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => cancelRun(ctx.deps, input.id, input.reason));
