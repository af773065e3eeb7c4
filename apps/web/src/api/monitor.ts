import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';
import type { MonitorRouter } from '@mlops/monitor/router';
import { authFetch } from './auth';
import { API } from './urls';

export type MonitorTrpc = TRPCClient<MonitorRouter>;

/**
 * The monitor's tRPC API (`/monitor/trpc` through the dashboard's proxy), typed by its router;
 * authFetch adds the session's token (reports need `read`) and reports 401s.
 */
export const monitorApi: MonitorTrpc = createTRPCClient<MonitorRouter>({
  links: [httpBatchLink({ url: `${API.monitor}/trpc`, fetch: authFetch })],
});
