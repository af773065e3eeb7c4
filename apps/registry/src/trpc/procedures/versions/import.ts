import { registryApi } from '@mlops/contracts';
import { importVersion } from '../../../domain/import';
import { importOnnxVersion, isOnnxImport } from '../../../domain/import-onnx';
import { protectedProcedure } from '../../init';

const api = registryApi.versions.import;

/** Bring your own model (TF.js or ONNX): scope `write`, like versions.create. */
export const versionsImport = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) =>
    isOnnxImport(input.files) ? importOnnxVersion(ctx.deps, input) : importVersion(ctx.deps, input),
  );
