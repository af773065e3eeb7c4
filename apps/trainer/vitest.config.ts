import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedVitestConfig } from '../../vitest.shared.ts';

// The trainer's suites start real training threads and trainer processes: each job loads
// TF.js and the trainer's modules in a fresh thread, which takes tens of seconds when the
// 2-core machine is shared (a sweep of three trials took 48–55 s at load 25–34, past the
// shared 60 s bound). The bounds only stop a hung test; no test asserts a duration.
export default mergeConfig(
  sharedVitestConfig,
  defineConfig({ test: { testTimeout: 240_000, hookTimeout: 240_000 } }),
);
