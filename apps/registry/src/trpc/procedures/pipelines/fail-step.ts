import { registryApi } from '@mlops/contracts';
import { failStep } from '../../../domain/pipelines/steps';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.failStep;

export const pipelinesFailStep = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => failStep(ctx.deps, input));
