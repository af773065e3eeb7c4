import { registryApi } from '@mlops/contracts';
import { listPipelineDefinitions } from '../../../domain/pipelines/definitions';
import { readProcedure } from '../../init';

const api = registryApi.pipelines.list;

export const pipelinesList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listPipelineDefinitions(ctx.deps, input.limit));
