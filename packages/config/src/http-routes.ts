import type { FastifyInstance, RouteOptions } from 'fastify';
import { openApiDocsPage } from '@mlops/contracts';

/** A route as it was registered: what the auth and OpenAPI tests walk. */
export interface ServedRoute {
  method: string;
  url: string;
  config: RouteOptions['config'];
}

const served = new WeakMap<FastifyInstance, ServedRoute[]>();

/**
 * Record every route as it is added (call before any is registered). The apps' tests walk the
 * list: a route served without its OpenAPI description, or a mutating route without a scope,
 * fails them.
 */
export function trackRoutes(app: FastifyInstance): void {
  const routes: ServedRoute[] = [];
  served.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      routes.push({ method, url: route.url, config: route.config });
  });
}

export function routesOf(app: FastifyInstance): readonly ServedRoute[] {
  return served.get(app) ?? [];
}

export const OPENAPI_URL = '/openapi.json';
export const DOCS_URL = '/docs';

/**
 * `GET /openapi.json` and `GET /docs` (a page that renders it). The document is serialized
 * once: every schema it comes from is static. `routeOptions` carries an app's route config
 * (the registry marks them public there; the other apps list public paths in their auth).
 */
export function serveOpenApi(
  app: FastifyInstance,
  title: string,
  document: Record<string, unknown>,
  routeOptions: Pick<RouteOptions, 'config'> = {},
): void {
  const json = JSON.stringify(document);
  const page = openApiDocsPage(title, OPENAPI_URL);
  app.get(OPENAPI_URL, routeOptions, (_request, reply) =>
    reply.type('application/json').send(json),
  );
  app.get(DOCS_URL, routeOptions, (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(page),
  );
}
