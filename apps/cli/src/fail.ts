import { describeDetails, type AppError } from '@mlops/contracts';
import { toAppError } from '@mlops/client';

/** Exit code 1 with the error's message and the field/row details; never a stack trace. */
export function reportError(err: unknown): number {
  const appError: AppError = toAppError(err);
  process.stderr.write(`error: ${appError.message}\n`);
  if (appError.details?.length) {
    for (const line of describeDetails(appError.details, 20).split('; '))
      process.stderr.write(`  - ${line}\n`);
  }
  return 1;
}
