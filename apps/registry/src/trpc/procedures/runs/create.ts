import { registryApi } from '@mlops/contracts';
import { createRun } from '../../../domain/runs';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.create;

export const runsCreate = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => createRun(ctx.deps, input));
