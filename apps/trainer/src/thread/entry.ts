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
  if (!program.pathname.endsWith('.ts')) return new Worker(program, { workerData });
  // tsx (a dev dependency) resolves from the working directory; built images run the .js entry.
  const bootstrap = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(program.href)}); })`;
  return new Worker(bootstrap, { eval: true, workerData });
}
