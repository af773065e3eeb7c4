import { registryApi } from '@mlops/contracts';
import { collectGarbage } from '../../../domain/gc';
import { adminProcedure } from '../../init';

const api = registryApi.artifacts.gc;

export const artifactsGc = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => collectGarbage(ctx.deps, input));
