import { registryApi } from '@mlops/contracts';
import { listRunsFor } from '../../../domain/runs';
import { readProcedure } from '../../init';

const api = registryApi.runs.list;

export const runsList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) =>
    listRunsFor(ctx.deps, {
      ...(input.model !== undefined ? { model: input.model } : {}),
      ...(input.status !== undefined ? { status: input.status } : {}),
      limit: input.limit,
    }),
  );
