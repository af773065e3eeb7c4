import { serviceToken } from '@mlops/config';
import type { RunningService, ServiceSpec, ServiceSupervisor } from './services';

export type AppName = ServiceSpec['name'];

/**
 * The credential an app is started with: the registry holds the bootstrap admin token, every
 * other app its own service token derived from it (`service:<app>` with that app's scopes), so
 * no app but the registry ever sees the admin token.
 */
export function tokenFor(adminToken: string, app: AppName): string {
  return app === 'registry' ? adminToken : serviceToken(adminToken, app);
}

export interface LaunchOptions {
  supervisor: ServiceSupervisor;
  adminToken: string;
  /** A port for the registry and for every app in `apps`. */
  ports: Partial<Record<AppName, number>>;
  /** Apps to start after the registry. */
  apps: readonly Exclude<AppName, 'registry'>[];
  /** Environment of every app (the supervisor adds the port, the bind address and the token). */
  env: Record<string, string>;
  /** Environment of one app, over `env`. */
  appEnv?: Partial<Record<AppName, Record<string, string>>>;
}

/**
 * Start the platform the way `npm start`, the demo and the security tests all do: the registry
 * first (everyone else needs it), then the workers and servers side by side, the dashboard last
 * (it proxies to them); every app knows every other's URL and gets its own token.
 */
export async function launchPlatform(
  opts: LaunchOptions,
): Promise<Partial<Record<AppName, RunningService>>> {
  const { supervisor, ports, apps } = opts;
  const urls = Object.fromEntries(
    Object.entries(ports).map(([app, port]) => [app, `http://127.0.0.1:${port}`]),
  ) as Partial<Record<AppName, string>>;
  const base = {
    REGISTRY_URL: urls.registry ?? '',
    ...(urls.serving ? { SERVING_URL: urls.serving } : {}),
    ...(urls.monitor ? { MONITOR_URL: urls.monitor } : {}),
    ...opts.env,
  };
  const start = (app: AppName) => {
    const port = ports[app];
    if (port === undefined) throw new Error(`launchPlatform: no port for ${app}`);
    return supervisor.start({
      name: app,
      port,
      env: { ...base, MLOPS_TOKEN: tokenFor(opts.adminToken, app), ...opts.appEnv?.[app] },
    });
  };
  const services: Partial<Record<AppName, RunningService>> = {};
  services.registry = await start('registry');
  const middle = apps.filter((app) => app !== 'web');
  await Promise.all(middle.map(async (app) => (services[app] = await start(app))));
  if (apps.includes('web')) services.web = await start('web');
  return services;
}
