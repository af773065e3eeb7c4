import { registryApi } from '@mlops/contracts';
import { completeRun } from '../../../domain/runs';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.complete;

export const runsComplete = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => completeRun(ctx.deps, input.id, input.metrics, input.version));
