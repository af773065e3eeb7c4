import { defineConfig } from 'vitest/config';

// Browser tests: real services as processes, the built dashboard, Debian's Chromium.
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    passWithNoTests: false,
    reporters: ['default', ['json', { outputFile: '.vitest/e2e.json' }]],
  },
});
