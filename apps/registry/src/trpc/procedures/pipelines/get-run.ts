import { registryApi } from '@mlops/contracts';
import { getPipelineRunOrThrow } from '../../../domain/pipelines/runs';
import { readProcedure } from '../../init';

const api = registryApi.pipelines.getRun;

export const pipelinesGetRun = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getPipelineRunOrThrow(ctx.deps, input.id));
