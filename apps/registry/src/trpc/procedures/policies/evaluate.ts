import { registryApi } from '@mlops/contracts';
import { evaluatePolicy } from '../../../domain/policies';
import { readProcedure } from '../../init';

const api = registryApi.policies.evaluate;

export const policiesEvaluate = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => evaluatePolicy(ctx.deps, input));
