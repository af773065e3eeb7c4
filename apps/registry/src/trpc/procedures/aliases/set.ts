import { registryApi } from '@mlops/contracts';
import { moveAlias } from '../../../domain/aliases';
import { promoteProcedure } from '../../init';

const api = registryApi.aliases.set;

/** Scope `promote`; `force` additionally needs `admin` (checked in moveAlias). */
export const aliasesSet = promoteProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => moveAlias(ctx.deps, input, ctx.principal));
