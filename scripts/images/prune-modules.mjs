#!/usr/bin/env node
// Removes from a production node_modules what a Linux Node process never loads, so app images
// stay small: TF.js ships every browser bundle of itself (UMD, ES2017, fesm, minified) with
// source maps — about 250 MB of the 290 MB its packages take — and onnxruntime-node ships its
// native library for every OS and CPU (288 MB, of which this platform needs one directory).
// What stays is what `require`/`import` resolves on Node: each package's `main` (tf.node.js
// files, the ESM tree for `module` is left too since small), wasm binaries and their workers.
//
// Usage (a Dockerfile's deps stage, after `npm ci --omit=dev`):
//   node scripts/images/prune-modules.mjs node_modules apps/*/node_modules packages/*/node_modules
// Prints what it removed. Plain JavaScript with no dependencies: it runs before any build.
import fs from 'node:fs';
import path from 'node:path';

/** Files no Node process of ours loads, in TF.js packages: browser bundles and source maps. */
const TFJS_BROWSER_FILE = /(\.map|\.min\.js|\.es2017\.js|\.fesm\.js|\.html)$/;
/** The UMD bundle (`tf.js`, `tf-core.js`, …) beside the `tf*.node.js` file Node loads. */
const TFJS_UMD_BUNDLE = /^tf(-[a-z-]+)?\.js$/;

/**
 * onnxruntime-node's binaries live in `bin/napi-v<N>/<platform>/<arch>`; keep only this
 * platform's and architecture's (the image's, since this runs inside the build).
 */
function pruneOnnxRuntime(pkgDir, removed) {
  const bin = path.join(pkgDir, 'bin');
  if (!fs.existsSync(bin)) return;
  for (const napi of fs.readdirSync(bin)) {
    const napiDir = path.join(bin, napi);
    for (const platform of fs.readdirSync(napiDir)) {
      const platformDir = path.join(napiDir, platform);
      if (platform !== process.platform) {
        remove(platformDir, removed);
        continue;
      }
      for (const arch of fs.readdirSync(platformDir)) {
        if (arch !== process.arch) remove(path.join(platformDir, arch), removed);
      }
    }
  }
}

function pruneTfjs(pkgDir, removed) {
  const dist = path.join(pkgDir, 'dist');
  if (!fs.existsSync(dist)) return;
  const main = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8')).main;
  const keep = main ? path.resolve(pkgDir, main) : null;
  for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
    const file = path.join(dist, entry.name);
    if (!entry.isFile() || file === keep) continue;
    if (TFJS_BROWSER_FILE.test(entry.name) || TFJS_UMD_BUNDLE.test(entry.name)) {
      remove(file, removed);
    }
  }
}

function remove(target, removed) {
  removed.bytes += sizeOf(target);
  removed.paths += 1;
  fs.rmSync(target, { recursive: true, force: true });
}

function sizeOf(target) {
  const stat = fs.lstatSync(target);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of fs.readdirSync(target)) total += sizeOf(path.join(target, entry));
  return total;
}

/** Every installed package directory under `modules`, nested node_modules included. */
function* packagesUnder(modules) {
  if (!fs.existsSync(modules)) return;
  for (const entry of fs.readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const dir = path.join(modules, entry.name);
    if (entry.name.startsWith('@')) {
      for (const scoped of fs.readdirSync(dir, { withFileTypes: true })) {
        if (scoped.isDirectory())
          yield* packageAndNested(path.join(dir, scoped.name), `${entry.name}/${scoped.name}`);
      }
    } else yield* packageAndNested(dir, entry.name);
  }
}

function* packageAndNested(dir, name) {
  yield { dir, name };
  yield* packagesUnder(path.join(dir, 'node_modules'));
}

export function pruneModules(modules) {
  const removed = { bytes: 0, paths: 0 };
  for (const { dir, name } of packagesUnder(modules)) {
    if (name === 'onnxruntime-node') pruneOnnxRuntime(dir, removed);
    else if (name.startsWith('@tensorflow/tfjs')) pruneTfjs(dir, removed);
  }
  return removed;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // A shell glob that matched nothing arrives as itself: such a path is skipped.
  const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['node_modules'];
  for (const modules of dirs.map((d) => path.resolve(d)).filter((d) => fs.existsSync(d))) {
    const removed = pruneModules(modules);
    const mib = (removed.bytes / 1024 ** 2).toFixed(0);
    console.log(`prune-modules: ${modules}: removed ${removed.paths} paths, ${mib} MiB`);
  }
}
