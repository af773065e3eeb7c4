/** Default ports of the services on one machine (each overridable by its `*_PORT` variable). */
export const DEFAULT_PORTS = {
  registry: 7600,
  serving: 7601,
  monitor: 7602,
  web: 7603,
} as const;
