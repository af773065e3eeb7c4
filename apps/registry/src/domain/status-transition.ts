import { AppError } from '@mlops/contracts';

/**
 * Apply a status change that the database makes only from the statuses in `from` (`update`
 * returns nothing when the row was in another), or explain why not: the row's current status,
 * read by `current`, in a PRECONDITION_FAILED naming `what` (`run <id>`, `evaluation <id>`).
 */
export async function transitionOrExplain<S extends string, T extends { status: S }>(
  what: string,
  from: readonly S[],
  action: string,
  update: () => Promise<T | undefined>,
  current: () => Promise<T>,
): Promise<T> {
  const updated = await update();
  if (updated) return updated;
  const { status } = await current();
  throw new AppError(
    'PRECONDITION_FAILED',
    `cannot ${action} ${what}: it is ${status} (allowed from ${from.join(' or ')})`,
    [{ path: 'status', message: `is ${status}` }],
  );
}
