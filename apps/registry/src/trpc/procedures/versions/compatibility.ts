import { registryApi } from '@mlops/contracts';
import { compatibilityOf } from '../../../domain/policies';
import { publicProcedure } from '../../init';

const api = registryApi.versions.compatibility;

export const versionsCompatibility = publicProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => compatibilityOf(ctx.deps, input));
