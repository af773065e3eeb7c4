import { registryApi } from '@mlops/contracts';
import { webhooksOf } from '../../../domain/webhook-admin';
import { adminProcedure } from '../../init';

const api = registryApi.webhooks.list;

export const webhooksList = adminProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx }) => webhooksOf(ctx.deps));
