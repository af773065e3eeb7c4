import { registryApi } from '@mlops/contracts';
import { registerPipeline } from '../../../domain/pipelines/definitions';
import { protectedProcedure } from '../../init';

const api = registryApi.pipelines.register;

export const pipelinesRegister = protectedProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => registerPipeline(ctx.deps, input.definition, ctx.principal));
