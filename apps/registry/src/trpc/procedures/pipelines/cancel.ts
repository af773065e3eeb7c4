import { registryApi } from '@mlops/contracts';
import { cancelPipelineRun } from '../../../domain/pipelines/runs';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.cancel;

export const pipelinesCancel = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => cancelPipelineRun(ctx.deps, input.id, input.reason));
