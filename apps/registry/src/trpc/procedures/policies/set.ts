import { registryApi } from '@mlops/contracts';
import { savePolicy } from '../../../domain/policies';
import { adminProcedure } from '../../init';

const api = registryApi.policies.set;

export const policiesSet = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => savePolicy(ctx.deps, input, ctx.principal));
