import { registryApi } from '@mlops/contracts';
import { tokensOf } from '../../../domain/tokens';
import { adminProcedure } from '../../init';

const api = registryApi.tokens.list;

/** A read, but of secrets' metadata: admin only. */
export const tokensList = adminProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx }) => tokensOf(ctx.deps));
