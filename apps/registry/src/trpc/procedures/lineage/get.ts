import { registryApi } from '@mlops/contracts';
import { getLineage } from '../../../domain/lineage/graph';
import { readProcedure } from '../../init';

const api = registryApi.lineage.get;

export const lineageGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getLineage(ctx.deps, input));
