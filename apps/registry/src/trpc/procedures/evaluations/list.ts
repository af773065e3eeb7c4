import { registryApi } from '@mlops/contracts';
import { listEvaluationsOf } from '../../../domain/evaluations';
import { readProcedure } from '../../init';

const api = registryApi.evaluations.list;

export const evaluationsList = readProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => listEvaluationsOf(ctx.deps, input));
