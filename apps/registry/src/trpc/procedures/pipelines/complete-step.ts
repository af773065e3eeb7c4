import { registryApi } from '@mlops/contracts';
import { completeStep } from '../../../domain/pipelines/steps';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.completeStep;

export const pipelinesCompleteStep = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => completeStep(ctx.deps, input));
