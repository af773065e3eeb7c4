import type { z } from 'zod';
import { AppError, zodIssuesToDetails } from '@mlops/contracts';

/** Parse route params / query / headers with a zod schema; failures are 400 naming the field. */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: string,
): z.infer<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = zodIssuesToDetails(parsed.error.issues);
  throw new AppError(
    'VALIDATION_FAILED',
    `invalid ${where}: ${details.map((d) => `${d.path ?? ''}: ${d.message}`).join('; ')}`,
    details,
  );
}
