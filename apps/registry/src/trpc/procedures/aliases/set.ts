import { registryApi } from '@mlops/contracts';
import { moveAlias } from '../../../domain/aliases';
import { checkProducedBy } from '../../../domain/producers';
import { promoteProcedure } from '../../init';

const api = registryApi.aliases.set;

/** Scope `promote`; `force` additionally needs `admin` (checked in moveAlias). */
export const aliasesSet = promoteProcedure
  .input(api.input)
  .output(api.output)
  .mutation(async ({ ctx, input }) => {
    const producedBy = await checkProducedBy(ctx.deps, input.producedBy, 'alias-move');
    return moveAlias(ctx.deps, { ...input, producedBy }, ctx.principal);
  });
