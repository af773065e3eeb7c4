import fs from 'node:fs';
import {
  AppError,
  modelTestsSpecSchema,
  zodIssuesToDetails,
  type ModelTestsSpecInput,
} from '@mlops/contracts';

/**
 * `mlops train --tests tests.json`: the model's test file (behavioural tests and the bounds of
 * the platform's own tests), checked here so a typo is named before a run is queued. It travels
 * in the run's spec, so every version carries the tests it was judged by.
 */
export function readModelTestsFile(file: string): ModelTestsSpecInput {
  if (!fs.existsSync(file)) throw new AppError('NOT_FOUND', `tests file not found: ${file}`);
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('VALIDATION_FAILED', `${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = modelTestsSpecSchema.safeParse(json);
  if (!parsed.success) {
    throw new AppError(
      'VALIDATION_FAILED',
      `${file} is not a valid tests file`,
      zodIssuesToDetails(parsed.error.issues).map((d) => ({ ...d, path: `tests.${d.path}` })),
    );
  }
  // The file as written: the registry applies the defaults, and the run records the request.
  return json as ModelTestsSpecInput;
}
