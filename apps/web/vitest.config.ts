import { defineConfig } from 'vitest/config';

// Fast unit tests only (helpers, components rendered to a string, the server with inject).
// The browser tests against real services live in e2e/ and run with `npm run test:e2e`.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    passWithNoTests: false,
    reporters: ['default', ['json', { outputFile: '.vitest/report.json' }]],
  },
});
