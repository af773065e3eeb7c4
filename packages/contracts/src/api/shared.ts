import { z } from 'zod';
import { resourceNameSchema } from '../names';

/** Building blocks shared by the registry API groups. */
export const modelRef = z.object({ model: resourceNameSchema });
// Versions are 32-bit integers in the database (Postgres `integer`): larger ones are bad input.
export const versionNumber = z.number().int().positive().max(2_147_483_647);
export const versionRef = z.object({ model: resourceNameSchema, version: versionNumber });
export const listLimit = z.number().int().min(1).max(500).default(100);
/** Search text for names: the name alphabet only (no wildcards, bounded). */
export const searchText = z
  .string()
  .regex(/^[a-z0-9._-]{1,63}$/, 'must be 1-63 characters of a name');
