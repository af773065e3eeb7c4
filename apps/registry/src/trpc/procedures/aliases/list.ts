import { registryApi } from '@mlops/contracts';
import { aliasesOf } from '../../../domain/aliases';
import { readProcedure } from '../../init';

const api = registryApi.aliases.list;

export const aliasesList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => aliasesOf(ctx.deps, input.model));
