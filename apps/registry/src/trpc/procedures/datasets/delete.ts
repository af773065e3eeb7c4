import { registryApi } from '@mlops/contracts';
import { deleteDataset } from '../../../domain/gc';
import { adminProcedure } from '../../init';

const api = registryApi.datasets.delete;

export const datasetsDelete = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => deleteDataset(ctx.deps, input));
