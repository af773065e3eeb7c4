import { z } from 'zod';
import { aliasNameSchema, resourceNameSchema } from '@mlops/contracts';

/** What a request names: a model, and optionally a version or an alias of it. */
export type Target =
  | { model: string; version: number; alias?: undefined }
  | { model: string; alias: string; version?: undefined }
  | { model: string; version?: undefined; alias?: undefined };

export interface Split {
  alias: string;
  weight: number;
}

export interface ModelRoute {
  /** Weighted split between aliases for requests that name only the model (canary). */
  splits: Split[];
  totalWeight: number;
  /** Mirror every such request to this alias or version; its output is recorded, never returned. */
  shadow: { alias: string } | { version: number } | null;
}

export type RoutesConfig = ReadonlyMap<string, ModelRoute>;

/**
 * `SERVING_ROUTES`: entries separated by `;`. `model=alias:weight,alias:weight` sets a split;
 * `shadow=alias` (or `shadow=v3`) after it mirrors that model's traffic; `model.shadow=…` names
 * the model explicitly. Example: `iris=champion:90,challenger:10;shadow=challenger`.
 */
export function parseRoutes(
  raw: string,
): { ok: true; routes: RoutesConfig } | { ok: false; message: string } {
  const routes = new Map<string, ModelRoute>();
  let last: string | null = null;
  for (const part of raw
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq < 0)
      return { ok: false, message: `"${part}" is not model=alias:weight,… or shadow=target` };
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    const shadowOf =
      key === 'shadow' ? last : key.endsWith('.shadow') ? key.slice(0, -7) : undefined;
    if (shadowOf !== undefined) {
      if (shadowOf === null) return { ok: false, message: `"${part}" must follow a model=… entry` };
      const route = routes.get(shadowOf) ?? { splits: [], totalWeight: 0, shadow: null };
      const version = /^v?(\d+)$/.exec(value);
      if (version) route.shadow = { version: Number(version[1]) };
      else if (aliasNameSchema.safeParse(value).success) route.shadow = { alias: value };
      else
        return {
          ok: false,
          message: `shadow target "${value}" is neither an alias nor a version (v3)`,
        };
      routes.set(shadowOf, route);
      continue;
    }
    if (!resourceNameSchema.safeParse(key).success)
      return { ok: false, message: `"${key}" is not a model name` };
    const splits: Split[] = [];
    for (const item of value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [alias = '', weightText = '1'] = item.split(':');
      const weight = Number(weightText);
      if (!aliasNameSchema.safeParse(alias).success)
        return { ok: false, message: `"${alias}" is not an alias name` };
      if (!Number.isInteger(weight) || weight < 0)
        return { ok: false, message: `weight of "${alias}" must be a whole number ≥ 0` };
      splits.push({ alias, weight });
    }
    const totalWeight = splits.reduce((a, s) => a + s.weight, 0);
    if (splits.length === 0 || totalWeight === 0)
      return { ok: false, message: `"${key}" needs at least one alias with a weight above 0` };
    const shadow = routes.get(key)?.shadow ?? null;
    routes.set(key, { splits, totalWeight, shadow });
    last = key;
  }
  return { ok: true, routes };
}

export const routesSchema = z
  .string()
  .default('')
  .transform((raw, ctx) => {
    const parsed = parseRoutes(raw);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.message });
      return z.NEVER;
    }
    return parsed.routes;
  });

/** FNV-1a: a stable, cheap hash, so one request key always lands on the same side of a split. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The alias a request goes to: sticky by `key` when one is given, random otherwise. */
export function pickAlias(
  route: ModelRoute,
  key: string | undefined,
  random = Math.random,
): string {
  const point = key ? fnv1a(key) % route.totalWeight : Math.floor(random() * route.totalWeight);
  let acc = 0;
  for (const s of route.splits) {
    acc += s.weight;
    if (point < acc) return s.alias;
  }
  return route.splits[route.splits.length - 1]!.alias;
}
