import { registryApi } from '@mlops/contracts';
import { removeAlias } from '../../../domain/aliases';
import { promoteProcedure } from '../../init';

const api = registryApi.aliases.delete;

export const aliasesDelete = promoteProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => removeAlias(ctx.deps, input, ctx.principal));
