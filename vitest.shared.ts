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
