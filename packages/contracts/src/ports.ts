/**
 * Every service's default port and the variable that overrides it — the one table the apps'
 * environment schemas, the supervisors (`npm start`, the demo), the image smoke run and the
 * infrastructure check read.
 */
export const SERVICE_PORTS = {
  registry: { port: 7600, variable: 'REGISTRY_PORT' },
  serving: { port: 7601, variable: 'SERVING_PORT' },
  monitor: { port: 7602, variable: 'MONITOR_PORT' },
  web: { port: 7603, variable: 'WEB_PORT' },
  /** The trainer's health and metrics server. */
  trainer: { port: 7604, variable: 'TRAINER_PORT' },
} as const;
export type PortedService = keyof typeof SERVICE_PORTS;

/** Default ports of the services on one machine (each overridable by its `*_PORT` variable). */
export const DEFAULT_PORTS = {
  registry: SERVICE_PORTS.registry.port,
  serving: SERVICE_PORTS.serving.port,
  monitor: SERVICE_PORTS.monitor.port,
  web: SERVICE_PORTS.web.port,
  trainer: SERVICE_PORTS.trainer.port,
} as const;
