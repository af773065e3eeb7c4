import { registryApi } from '@mlops/contracts';
import { policyOf } from '../../../domain/policies';
import { readProcedure } from '../../init';

const api = registryApi.policies.get;

export const policiesGet = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => policyOf(ctx.deps, input.model, input.alias));
