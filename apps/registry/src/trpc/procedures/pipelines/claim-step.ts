import { registryApi } from '@mlops/contracts';
import { claimStep } from '../../../domain/pipelines/steps';
import { scopedProcedure } from '../../init';

const api = registryApi.pipelines.claimStep;

export const pipelinesClaimStep = scopedProcedure('train')
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => claimStep(ctx.deps, input));
