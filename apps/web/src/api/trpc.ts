import { createTRPCClient, createTRPCUntypedClient, httpBatchLink, httpLink } from '@trpc/client';
import type { TRPCClient, TRPCUntypedClient } from '@trpc/client';
import type { AppRouter } from '@mlops/registry/router';
import { authFetch } from './auth';
import { API } from './urls';

export type RegistryTrpc = TRPCClient<AppRouter>;

export interface RegistryClients {
  /** Every call typed by the registry's AppRouter. */
  api: RegistryTrpc;
  /**
   * For procedures newer than this build's AppRouter (looked up in contracts `registryApi` at
   * runtime, inputs and outputs parsed with its schemas: see optional.ts).
   */
  untyped: TRPCUntypedClient<AppRouter>;
}

export function createRegistryClients(getToken: () => string | null): RegistryClients {
  const headers = (): Record<string, string> => {
    const token = getToken();
    return token ? { authorization: `Bearer ${token}` } : {};
  };
  // authFetch reports each answer to the session, so a 401 sends the person back to sign in.
  const url = `${API.registry}/trpc`;
  return {
    api: createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url, headers, fetch: authFetch })],
    }),
    untyped: createTRPCUntypedClient<AppRouter>({
      links: [httpLink({ url, headers, fetch: authFetch })],
    }),
  };
}
