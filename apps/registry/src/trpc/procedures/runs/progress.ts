import { registryApi } from '@mlops/contracts';
import { reportProgress } from '../../../domain/runs';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.progress;

export const runsProgress = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) =>
    reportProgress(ctx.deps, input.id, input.progress).then(() => ({ ok: true as const })),
  );
