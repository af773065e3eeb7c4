import { registryApi } from '@mlops/contracts';
import { deliveriesOf } from '../../../domain/webhook-admin';
import { adminProcedure } from '../../init';

const api = registryApi.webhooks.deliveries;

export const webhooksDeliveries = adminProcedure
  .input(api.input)
  .output(api.output)
  .query(({ ctx, input }) => deliveriesOf(ctx.deps, input.id, input.limit));
