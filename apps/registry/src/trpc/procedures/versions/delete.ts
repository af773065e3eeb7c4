import { registryApi } from '@mlops/contracts';
import { deleteVersion } from '../../../domain/gc';
import { adminProcedure } from '../../init';

const api = registryApi.versions.delete;

export const versionsDelete = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => deleteVersion(ctx.deps, input));
