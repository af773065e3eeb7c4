import { registryApi } from '@mlops/contracts';
import { saveStepState } from '../../../domain/pipelines/steps';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.saveStepState;

export const pipelinesSaveStepState = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => saveStepState(ctx.deps, input));
