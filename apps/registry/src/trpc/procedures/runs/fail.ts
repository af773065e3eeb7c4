import { registryApi } from '@mlops/contracts';
import { failRun } from '../../../domain/runs';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.fail;

export const runsFail = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => failRun(ctx.deps, input.id, input.error));
