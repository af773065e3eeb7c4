import { registryApi } from '@mlops/contracts';
import { removeWebhook } from '../../../domain/webhook-admin';
import { adminProcedure } from '../../init';

const api = registryApi.webhooks.delete;

export const webhooksDelete = adminProcedure
  .input(api.input)
  .output(api.output)
  .mutation(({ ctx, input }) => removeWebhook(ctx.deps, input.id));
