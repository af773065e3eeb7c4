import { defineConfig } from 'vitest/config';

// One test configuration for every workspace. The JSON report is what `.ci/run` sums into
// its closing `tests: N passed, N failed` line (turbo runs one vitest per workspace).
export const sharedVitestConfig = defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
  },
});

// The workspaces whose suites run on Postgres (storage, registry): before the run, make sure a
// server answers at MLOPS_TEST_PG_URL, starting one from npm when none does.
export const postgresVitestConfig = defineConfig({
  test: {
    ...sharedVitestConfig.test,
    globalSetup: ['@mlops/storage/testing/postgres-setup'],
  },
});

// Their `npm run test:infra`: the same suites with MLOPS_TEST_INFRA=1 (Postgres + S3), reported
// apart (`.vitest/infra.json`, summed by scripts/ci/sum-vitest-reports.mjs).
export const postgresInfraVitestConfig = defineConfig({
  test: {
    ...postgresVitestConfig.test,
    reporters: ['default', ['json', { outputFile: '.vitest/infra.json' }]],
  },
});
