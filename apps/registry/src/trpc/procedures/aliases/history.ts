import { registryApi } from '@mlops/contracts';
import { aliasHistoryPage } from '../../../domain/aliases';
import { publicProcedure } from '../../init';

const api = registryApi.aliases.history;

export const aliasesHistory = publicProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => aliasHistoryPage(ctx.deps, input));
