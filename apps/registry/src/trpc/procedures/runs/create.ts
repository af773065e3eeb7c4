import { registryApi } from '@mlops/contracts';
import { createRun } from '../../../domain/runs';
import { checkProducedBy } from '../../../domain/producers';
import { protectedProcedure } from '../../init';

const api = registryApi.runs.create;

export const runsCreate = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(async ({ ctx, input }) => {
    const { producedBy, ...spec } = input;
    const by = await checkProducedBy(ctx.deps, producedBy, 'training-run');
    return createRun(ctx.deps, spec, by);
  });
