import { registryApi } from '@mlops/contracts';
import { listSchedules } from '../../../domain/pipelines/schedules';
import { readProcedure } from '../../init';

const api = registryApi.pipelines.schedules;

export const pipelinesSchedules = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listSchedules(ctx.deps, input.pipeline));
