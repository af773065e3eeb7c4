import { registryApi } from '@mlops/contracts';
import { getRunOrThrow } from '../../../domain/runs';
import { readProcedure } from '../../init';

const api = registryApi.runs.get;

export const runsGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getRunOrThrow(ctx.deps, input.id));
