import { registryApi } from '@mlops/contracts';
import { startPipelineRun } from '../../../domain/pipelines/runs';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.run;

export const pipelinesRun = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => startPipelineRun(ctx.deps, input, ctx.principal));
