import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  modelTestsSpecSchema,
  testCounts,
  type ModelTestsSpecInput,
  type VersionModelTests,
} from '@mlops/contracts';

/** The demo model's test file: what `mlops train --tests` would send (docs/training.md). */
export const IRIS_TESTS_FILE = path.join(
  path.dirname(fileURLToPath(import.meta.url)),
  'data',
  'iris-tests.json',
);

export function readIrisTests(): ModelTestsSpecInput {
  const json: unknown = JSON.parse(fs.readFileSync(IRIS_TESTS_FILE, 'utf8'));
  // Parsed to fail early on a broken file; sent as written (the registry applies defaults).
  modelTestsSpecSchema.parse(json);
  return json as ModelTestsSpecInput;
}

export interface TestsSummary {
  tests: { passed: number; failed: number; failed_names: string[] };
  baseline: { lift: number | null; against: string | null; metric: string | null };
}

/** The summary's view of a version's model tests (zeros and nulls when it has none). */
export function summarizeTests(t: VersionModelTests | null): TestsSummary {
  if (!t) {
    return {
      tests: { passed: 0, failed: 0, failed_names: [] },
      baseline: { lift: null, against: null, metric: null },
    };
  }
  const strongest = [...t.baselines].sort((a, b) => a.lift - b.lift)[0];
  return {
    tests: {
      ...testCounts(t),
      failed_names: t.results.filter((r) => !r.passed).map((r) => r.name),
    },
    baseline: {
      lift: t.baselineLift === null ? null : Math.round(t.baselineLift * 1e4) / 1e4,
      against: strongest?.name ?? null,
      metric: strongest?.metric ?? null,
    },
  };
}
