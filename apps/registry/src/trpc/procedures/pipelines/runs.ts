import { registryApi } from '@mlops/contracts';
import { listRuns } from '../../../domain/pipelines/runs';
import { readProcedure } from '../../init';

const api = registryApi.pipelines.runs;

export const pipelinesRuns = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listRuns(ctx.deps, input));
