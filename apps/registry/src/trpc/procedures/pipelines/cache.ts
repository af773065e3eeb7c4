import { registryApi } from '@mlops/contracts';
import { lookupCachedStep, storeCachedStep } from '../../../domain/pipelines/cache';
import { scopedProcedure } from '../../init';

const lookup = registryApi.pipelines.cacheLookup;
const store = registryApi.pipelines.cacheStore;

// `train`, like the worker's step procedures: the outputs name versions a run may deploy.
export const pipelinesCacheLookup = scopedProcedure('train')
  .input(lookup.input)
  .output(lookup.output)
  .mutation(({ ctx, input }) => lookupCachedStep(ctx.deps, input));

export const pipelinesCacheStore = scopedProcedure('train')
  .input(store.input)
  .output(store.output)
  .mutation(({ ctx, input }) => storeCachedStep(ctx.deps, input));
