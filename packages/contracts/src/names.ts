import { z } from 'zod';

// Names end up in URLs, Redis keys and object-store keys, so they are restricted to a safe
// alphabet: no slashes, no dots at the start, no `..`, nothing that could escape a prefix.
const SAFE_NAME = /^[a-z0-9](?:[a-z0-9_-]|\.(?!\.)){0,62}$/;

export const resourceNameSchema = z
  .string()
  .regex(
    SAFE_NAME,
    'must be 1-63 characters of lowercase letters, digits, "-", "_" or "." (no "..", starting with a letter or digit)',
  );

/**
 * The same check as `resourceNameSchema`, without building a zod result: serving runs it on
 * every request's model name, where a `safeParse` showed up in profiles.
 */
export function isResourceName(value: string): boolean {
  return SAFE_NAME.test(value);
}

/** Name of a model, dataset or alias. */
export type ResourceName = z.infer<typeof resourceNameSchema>;

export const aliasNameSchema = resourceNameSchema;

/** Column names come from user files: allow most printable text, bound the length. */
export const columnNameSchema = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  // eslint-disable-next-line no-control-regex -- rejecting control characters is the point
  .regex(/^[^\u0000-\u001f]+$/, 'must not contain control characters');

export const sha256Schema = z.string().regex(/^[a-f0-9]{64}$/, 'must be a lowercase hex sha256');

export const idSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be an id of 8-64 url-safe characters');

export const isoDateSchema = z.string().datetime({ offset: true });

export const versionNumberSchema = z.number().int().positive();
