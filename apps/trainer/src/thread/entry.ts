import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ThreadInit } from './protocol';

/**
 * Where the training thread's program is. Run from source (tsx, vitest) this module is
 * src/thread/entry.ts and the program its sibling train.thread.ts. In the esbuild bundle this
 * code is inlined into dist/server.js and the program is the second entry point the build emits
 * for every `*.thread.ts` (scripts/build/build-app.mjs), at dist/thread/train.thread.js.
 */
export function trainingThreadEntry(): URL {
  const here = import.meta.url;
  return here.endsWith('.ts')
    ? new URL('./train.thread.ts', here)
    : new URL('./thread/train.thread.js', here);
}

/** The young generation of a training thread when TRAINER_THREAD_YOUNG_GEN_MB is not set. */
export const DEFAULT_THREAD_YOUNG_GEN_MB = 96;

/**
 * The heap limits of a training thread. TF.js allocates a handful of short-lived objects for
 * every kernel it runs (tensor handles, shape arrays, scopes) — thousands per batch — so a fit is
 * a steady stream of scavenges. With V8's default nursery (16 MiB semi-spaces) the benchmark's
 * 5-epoch fit ran ≈ 20% slower in the thread than in a bare script; with a 96 MiB young
 * generation (32 MiB semi-spaces) it runs ≈ 5% faster (median of paired runs, `npm run
 * bench:train -- --overhead-only`). It costs about 50 MiB of memory per training thread.
 */
export function threadResourceLimits(env: NodeJS.ProcessEnv = process.env): {
  maxYoungGenerationSizeMb: number;
} {
  const raw = env.TRAINER_THREAD_YOUNG_GEN_MB;
  const mb = raw === undefined || raw === '' ? DEFAULT_THREAD_YOUNG_GEN_MB : Number(raw);
  if (!Number.isInteger(mb) || mb < 8 || mb > 4_096) {
    throw new Error(
      `TRAINER_THREAD_YOUNG_GEN_MB must be a whole number of MiB from 8 to 4096, got "${raw}"`,
    );
  }
  return { maxYoungGenerationSizeMb: mb };
}

/**
 * Start a thread running `entry` (default: the training program). A TypeScript entry needs tsx
 * inside the thread, and Node 20 does not give it one: `--import tsx` in execArgv (inherited
 * from `node --import tsx`, absent under vitest) runs in the thread only after its entry has
 * failed to load. So a .ts entry is started by a small bootstrap that registers tsx's loader in
 * the thread first, then imports it. A built .js entry is started directly.
 */
export function spawnTrainingThread(entry: URL | undefined, workerData: ThreadInit): Worker {
  const program = entry ?? trainingThreadEntry();
  if (!fs.existsSync(fileURLToPath(program))) {
    throw new Error(
      `training thread program ${fileURLToPath(program)} is missing: build with scripts/build/build-app.mjs, which emits every *.thread.ts`,
    );
  }
  const resourceLimits = threadResourceLimits();
  if (!program.pathname.endsWith('.ts')) return new Worker(program, { workerData, resourceLimits });
  // tsx (a dev dependency) resolves from the working directory; built images run the .js entry.
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(program.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData, resourceLimits });
}
