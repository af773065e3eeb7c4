import { registryApi } from '@mlops/contracts';
import { getVersionOrThrow } from '../../../domain/versions';
import { readProcedure } from '../../init';

const api = registryApi.versions.get;

export const versionsGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => getVersionOrThrow(ctx.deps, input.model, input.version));
