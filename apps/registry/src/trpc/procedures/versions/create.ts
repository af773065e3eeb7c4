import { registryApi } from '@mlops/contracts';
import { registerVersion } from '../../../domain/versions';
import { protectedProcedure } from '../../init';

const api = registryApi.versions.create;

export const versionsCreate = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => registerVersion(ctx.deps, input, ctx.principal));
