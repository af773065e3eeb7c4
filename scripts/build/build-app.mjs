// Bundles one app (run from its folder) into dist/ for production images: the workspace
// packages (@mlops/*, TypeScript source) are inlined, every npm dependency stays external and
// is installed beside it, so native and wasm modules keep their own file layout.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { build } from 'esbuild';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: node ../../scripts/build/build-app.mjs src/server.ts [more entries]');
  process.exit(2);
}
// A worker thread's program must be a file of its own at run time: every `src/**/*.thread.ts` is
// an entry point too, emitted at the same path under dist/ (src/thread/x.thread.ts becomes
// dist/thread/x.thread.js beside dist/server.js), where the app resolves it.
const threadEntries = fs.existsSync('src')
  ? fs
      .readdirSync('src', { recursive: true })
      .filter((f) => f.endsWith('.thread.ts'))
      .map((f) => path.join('src', f))
  : [];
if (threadEntries.length > 0) entries.push(...threadEntries.filter((f) => !entries.includes(f)));

// The npm packages the bundle imports (statically or by `import()`), written to
// dist/externals.json: an image installs these and what they depend on, nothing else
// (scripts/images/prune-modules.mjs).
const imported = new Set();
const builtins = new Set(builtinModules);
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.kind === 'entry-point' || args.path.startsWith('@mlops/')) return undefined;
      if (!args.path.startsWith('node:') && !builtins.has(packageName(args.path)))
        imported.add(packageName(args.path));
      return { path: args.path, external: true };
    });
  },
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // An `import()` of workspace code becomes a chunk of its own, loaded when that code first
  // runs: the npm packages only it imports (TF.js, onnxruntime, sharp for the registry's model
  // imports) are then not loaded at start. Chunks sit in dist/ beside the entries, so code moved
  // into one resolves `import.meta.url`-relative paths as it did in dist/server.js.
  splitting: true,
  chunkNames: '[name]-[hash]',
  sourcemap: true,
  plugins: [externalNpmPackages],
  logLevel: 'info',
});
fs.writeFileSync(
  path.join('dist', 'externals.json'),
  `${JSON.stringify([...imported].sort(), null, 2)}\n`,
);
