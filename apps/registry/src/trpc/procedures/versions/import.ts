import { registryApi } from '@mlops/contracts';
import { importVersion } from '../../../domain/import';
import { protectedProcedure } from '../../init';

const api = registryApi.versions.import;

/** Bring your own model: scope `write`, like versions.create. */
export const versionsImport = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => importVersion(ctx.deps, input));
