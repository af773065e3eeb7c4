import { registryApi } from '@mlops/contracts';
import { deletePolicy } from '@mlops/storage';
import { adminProcedure } from '../../init';

const api = registryApi.policies.delete;

export const policiesDelete = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(async ({ ctx, input }) => ({
    deleted: await deletePolicy(ctx.deps.db, input.model, input.alias),
  }));
