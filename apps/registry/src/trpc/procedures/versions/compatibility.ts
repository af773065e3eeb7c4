import { registryApi } from '@mlops/contracts';
import { compatibilityOf } from '../../../domain/policies';
import { readProcedure } from '../../init';

const api = registryApi.versions.compatibility;

export const versionsCompatibility = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => compatibilityOf(ctx.deps, input));
