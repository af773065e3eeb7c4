import { registryApi } from '@mlops/contracts';
import { startRun } from '../../../domain/runs';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.start;

export const runsStart = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => startRun(ctx.deps, input.id, input.backend));
