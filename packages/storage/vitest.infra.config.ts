import { defineConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.ts';

// `npm run test:infra`: the same suite with MLOPS_TEST_INFRA=1 (Postgres + S3), reported apart
// (`.vitest/infra.json`, summed by scripts/ci/sum-vitest-reports.mjs).
export default defineConfig({
  test: {
    ...sharedVitestConfig.test,
    reporters: ['default', ['json', { outputFile: '.vitest/infra.json' }]],
  },
});
