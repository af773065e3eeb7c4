import { registryApi } from '@mlops/contracts';
import { authenticatedProcedure } from '../../init';

const api = registryApi.auth.whoami;

/** The caller's own principal: serving and the monitor verify their callers' tokens with it. */
export const authWhoami = authenticatedProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx }) => ({
    name: ctx.principal.name,
    tokenId: ctx.principal.tokenId,
    scopes: ctx.principal.scopes,
  }));
