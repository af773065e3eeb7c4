// Bundles one app (run from its folder) into dist/ for production images: the workspace
// packages (@mlops/*, TypeScript source) are inlined, every npm dependency stays external and
// is installed beside it, so native and wasm modules keep their own file layout.
import { build } from 'esbuild';

const entries = process.argv.slice(2);
if (entries.length === 0) {
  console.error('usage: node ../../scripts/build/build-app.mjs src/server.ts [more entries]');
  process.exit(2);
}

const externalNpmPackages = {
  name: 'external-npm-packages',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@mlops/') ? undefined : { path: args.path, external: true },
    );
  },
};

await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  plugins: [externalNpmPackages],
  logLevel: 'info',
});
