import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { TRPCClient } from '@trpc/client';
import type { MonitorRouter } from '@mlops/monitor/router';
import { storedToken } from './session';
import { API } from './urls';

export type MonitorTrpc = TRPCClient<MonitorRouter>;

/** The monitor's tRPC API (`/monitor/trpc` through the dashboard's proxy), typed by its router. */
export const monitorApi: MonitorTrpc = createTRPCClient<MonitorRouter>({
  links: [
    httpBatchLink({
      url: `${API.monitor}/trpc`,
      headers: (): Record<string, string> => {
        const token = storedToken();
        return token ? { authorization: `Bearer ${token}` } : {};
      },
    }),
  ],
});
