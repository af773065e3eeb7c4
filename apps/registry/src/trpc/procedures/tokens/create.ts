import { registryApi } from '@mlops/contracts';
import { createToken } from '../../../domain/tokens';
import { adminProcedure } from '../../init';

const api = registryApi.tokens.create;

export const tokensCreate = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => createToken(ctx.deps, input, ctx.principal));
