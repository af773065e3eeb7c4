import {
  AppError,
  jsonSchemaOf,
  jsonTypesOf,
  pathParamsOf,
  type ErrorDetail,
} from '@mlops/contracts';
import type { z } from 'zod';

/**
 * How a REST request becomes a procedure's input: path parameters and (GET, DELETE) query
 * parameters are strings, turned into the types the input schema declares for them (numbers,
 * booleans; objects and arrays as JSON); the JSON body (POST, PUT) is taken as is. The result
 * is validated by the procedure itself, exactly as a tRPC call is: same schema, same errors.
 */
export interface InputDecoder {
  decode(params: unknown, query: unknown, body: unknown): Record<string, unknown>;
}

export function inputDecoder(input: z.ZodType, path: string, fromQuery: boolean): InputDecoder {
  const props = jsonSchemaOf(input, 'input').properties ?? {};
  const inPath = pathParamsOf(path);
  const typesOf = (key: string) => jsonTypesOf(props[key]);
  return {
    decode(params, query, body) {
      const details: ErrorDetail[] = [];
      const out: Record<string, unknown> = {};
      if (fromQuery) {
        for (const [key, raw] of Object.entries((query ?? {}) as Record<string, unknown>)) {
          if (!Object.hasOwn(props, key) || inPath.includes(key))
            details.push({ path: key, message: 'unknown query parameter' });
          else if (typeof raw !== 'string')
            details.push({ path: key, message: 'given more than once' });
          else out[key] = fromString(raw, typesOf(key));
        }
      } else if (body !== undefined && body !== null) {
        if (typeof body !== 'object' || Array.isArray(body))
          throw new AppError('VALIDATION_FAILED', 'the body must be a JSON object', [
            { path: '', message: 'expected a JSON object' },
          ]);
        for (const [key, value] of Object.entries(body)) {
          // The URL names the resource; the body may not name another one.
          if (inPath.includes(key))
            details.push({ path: key, message: 'given in the URL: leave it out of the body' });
          else out[key] = value;
        }
      }
      for (const key of inPath) {
        const raw = (params as Record<string, unknown>)[key];
        if (typeof raw === 'string') out[key] = fromString(raw, typesOf(key));
      }
      if (details.length > 0)
        throw new AppError(
          'VALIDATION_FAILED',
          `invalid input: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
          details,
        );
      return out;
    },
  };
}

/** A string parameter as the type the schema wants; left a string when it is not one. */
function fromString(raw: string, types: Set<string>): unknown {
  if ((types.has('integer') || types.has('number')) && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(raw))
    return Number(raw);
  if (types.has('boolean') && (raw === 'true' || raw === 'false')) return raw === 'true';
  if (types.has('object') || types.has('array')) {
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      // Left as the string: the schema then names this parameter as not an object.
    }
  }
  return raw;
}
