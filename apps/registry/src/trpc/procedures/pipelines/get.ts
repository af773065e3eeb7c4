import { registryApi } from '@mlops/contracts';
import { getPipelineOrThrow } from '../../../domain/pipelines/definitions';
import { readProcedure } from '../../init';

const api = registryApi.pipelines.get;

export const pipelinesGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getPipelineOrThrow(ctx.deps, input.name));
