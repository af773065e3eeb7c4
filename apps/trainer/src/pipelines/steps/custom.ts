import { StepInputError, type StepImpl } from './types';

/**
 * Custom steps: `uses: custom/<name>` runs the function registered here under `<name>`. Add
 * yours to this map (or pass `customSteps` to createPipelineWorker in your own worker). A
 * custom step gets its resolved inputs and the registry client and returns JSON outputs;
 * `contentHashes` (optional) adds the content its inputs point at to the cache key.
 */
export const builtinCustomSteps: Record<string, StepImpl> = {
  /** Returns its inputs as outputs: wiring checks and orchestration benchmarks. */
  echo: {
    run: ({ inputs }) => Promise.resolve({ ...inputs }),
  },
  /** Waits `ms` (at most 10 minutes) and returns its inputs: the crash-resume test kills it. */
  sleep: {
    async run({ inputs }) {
      const ms = inputs.ms;
      if (typeof ms !== 'number' || ms < 0 || ms > 600_000) {
        throw new StepInputError('with.ms: must be a number of milliseconds, 0-600000');
      }
      await new Promise((r) => setTimeout(r, ms));
      return { ...inputs };
    },
  },
};
