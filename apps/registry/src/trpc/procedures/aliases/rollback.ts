import { registryApi } from '@mlops/contracts';
import { rollbackAlias } from '../../../domain/aliases';
import { promoteProcedure } from '../../init';

const api = registryApi.aliases.rollback;

export const aliasesRollback = promoteProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => rollbackAlias(ctx.deps, input, ctx.principal));
