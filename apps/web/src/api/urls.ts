/** Where the browser reaches each service: same origin, proxied by src/server.ts (or vite dev). */
export const API = {
  registry: '/registry',
  serving: '/serving',
  monitor: '/monitor',
} as const;
