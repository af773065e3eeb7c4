import { registryApi } from '@mlops/contracts';
import { saveDatasetPolicy } from '../../../domain/datasets/validation';
import { adminProcedure } from '../../init';

const api = registryApi.datasets.setPolicy;

/** Scope `admin`, like promotion policies: it decides what the platform refuses to train on. */
export const datasetsSetPolicy = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => saveDatasetPolicy(ctx.deps, input, ctx.principal));
