import { registryApi } from '@mlops/contracts';
import { skipSteps } from '../../../domain/pipelines/steps';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.skipSteps;

export const pipelinesSkipSteps = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => skipSteps(ctx.deps, input));
