import { z } from 'zod';
import { placeholderIssues } from './placeholders';

/**
 * Parse `process.env` (or a given record) with a zod object schema. Unknown or malformed
 * values stop the app at start with a message naming each variable and what is wrong; so do
 * secrets left at an example file's placeholder (`change-me…`).
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // Empty strings mean "unset": a blank `REDIS_URL=` in a .env file should fall back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ''),
  );
  const result = schema.safeParse(cleaned);
  const placeholders = placeholderIssues(Object.keys(schema.shape), cleaned);
  if (result.success && placeholders.length === 0) return result.data;
  const lines = [
    ...(result.success ? [] : result.error.issues).map(
      (issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`,
    ),
    ...placeholders,
  ];
  throw new ConfigError(
    `Invalid environment configuration:\n${lines.map((line) => `  ${line}`).join('\n')}`,
  );
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export const portSchema = z.coerce.number().int().min(0).max(65_535);

export const booleanFromEnv = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const urlSchema = z.string().url();
