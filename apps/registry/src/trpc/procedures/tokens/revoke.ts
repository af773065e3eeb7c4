import { registryApi } from '@mlops/contracts';
import { revoke } from '../../../domain/tokens';
import { adminProcedure } from '../../init';

const api = registryApi.tokens.revoke;

export const tokensRevoke = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => revoke(ctx.deps, input.id));
