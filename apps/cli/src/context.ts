import { DEFAULT_PORTS } from '@mlops/contracts';
import { readTokenFile } from '@mlops/config';
import { createRegistryClient, type RegistryClient } from '@mlops/client';
import path from 'node:path';

/** Options every command accepts (commander passes them through `optsWithGlobals`). */
export interface GlobalOptions {
  registryUrl?: string;
  servingUrl?: string;
  monitorUrl?: string;
  token?: string;
  json?: boolean;
}

export interface CliContext {
  registryUrl: string;
  servingUrl: string;
  monitorUrl: string;
  json: boolean;
  /** Sent to serving and the monitor as well: their routes need a token too. */
  token: string | undefined;
  client: RegistryClient;
}

/**
 * Flags win over environment variables, which win over the local defaults of `npm start`.
 * The token falls back to the file `npm start` keeps in the data directory.
 */
export function resolveContext(
  opts: GlobalOptions,
  env: NodeJS.ProcessEnv = process.env,
): CliContext {
  const registryUrl =
    opts.registryUrl ?? env.REGISTRY_URL ?? `http://127.0.0.1:${DEFAULT_PORTS.registry}`;
  const servingUrl =
    opts.servingUrl ?? env.SERVING_URL ?? `http://127.0.0.1:${DEFAULT_PORTS.serving}`;
  const monitorUrl =
    opts.monitorUrl ?? env.MONITOR_URL ?? `http://127.0.0.1:${DEFAULT_PORTS.monitor}`;
  const token =
    opts.token ?? env.MLOPS_TOKEN ?? readTokenFile(path.resolve(env.MLOPS_DATA_DIR ?? '.mlops'));
  return {
    registryUrl: trimSlash(registryUrl),
    servingUrl: trimSlash(servingUrl),
    monitorUrl: trimSlash(monitorUrl),
    json: opts.json ?? false,
    token,
    client: createRegistryClient({ url: trimSlash(registryUrl), ...(token ? { token } : {}) }),
  };
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');
