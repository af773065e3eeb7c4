import { registryApi } from '@mlops/contracts';
import { listVersionsOf } from '../../../domain/versions';
import { readProcedure } from '../../init';

const api = registryApi.versions.list;

export const versionsList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listVersionsOf(ctx.deps, input.model, input.limit));
