import { registryApi } from '@mlops/contracts';
import { aliasHistoryPage } from '../../../domain/aliases';
import { readProcedure } from '../../init';

const api = registryApi.aliases.history;

export const aliasesHistory = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => aliasHistoryPage(ctx.deps, input));
