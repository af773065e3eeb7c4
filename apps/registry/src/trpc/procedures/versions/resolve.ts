import { registryApi } from '@mlops/contracts';
import { resolveAlias } from '../../../domain/versions';
import { readProcedure } from '../../init';

const api = registryApi.versions.resolve;

export const versionsResolve = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => resolveAlias(ctx.deps, input.model, input.alias));
