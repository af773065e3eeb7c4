import { registryApi } from '@mlops/contracts';
import { importModelVersion } from '../../../domain/import-model';
import { protectedProcedure } from '../../init';

const api = registryApi.versions.import;

/** Bring your own model (TF.js or ONNX): scope `write`, like versions.create. */
export const versionsImport = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => importModelVersion(ctx.deps, input));
