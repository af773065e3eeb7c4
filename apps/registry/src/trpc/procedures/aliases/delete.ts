import { registryApi } from '@mlops/contracts';
import { removeAlias } from '../../../domain/aliases';
import { protectedProcedure } from '../../init';

const api = registryApi.aliases.delete;

export const aliasesDelete = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => removeAlias(ctx.deps, input));
