import { registryApi } from '@mlops/contracts';
import { moveAlias } from '../../../domain/aliases';
import { protectedProcedure } from '../../init';

const api = registryApi.aliases.set;

export const aliasesSet = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => moveAlias(ctx.deps, input));
