import { registryApi } from '@mlops/contracts';
import { createWebhook } from '../../../domain/webhook-admin';
import { adminProcedure } from '../../init';

const api = registryApi.webhooks.create;

export const webhooksCreate = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => createWebhook(ctx.deps, input));
