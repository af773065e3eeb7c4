#!/usr/bin/env node
// Removes from a production node_modules what an app's Node process never loads, so app images
// stay small. Two passes:
//
// 1. Packages (with --app): the app's bundle (esbuild, workspace code inlined) imports a known
//    list of npm packages, which the build writes to dist/externals.json. Only those and what
//    they depend on (dependencies, installed optional and peer dependencies, resolved the way
//    Node resolves them from the app's folder) stay; the rest of the workspace install goes —
//    e.g. the monitor's bundle never loads TF.js, ONNX Runtime, sharp or SQLite although
//    workspace packages it inlines declare them. The package.json files are rewritten to
//    declare what is left (the app's workspace only, depending on exactly the imported
//    packages), so `npm ls --omit=dev` in the image checks the tree that is really there.
// 2. Files, in every package left: TypeScript sources and declarations, source maps, Markdown;
//    TF.js's browser bundles and ES module trees (Node loads each package's `main`, a
//    self-contained `tf*.node.js`), ONNX Runtime's binaries for other platforms, better-sqlite3's
//    C sources and build intermediates (the compiled `.node` stays), protobufjs's CLI and browser
//    bundles, and TypeScript's compiler: tRPC declares it as a peer for its types, no runtime
//    code requires it, so its package.json stays (the peer is met) and its files go.
//
// Usage (a Dockerfile's deps stage, after `npm ci --omit=dev`):
//   node prune-modules.mjs --app apps/monitor --imports /tmp/externals.json \
//     node_modules apps/*/node_modules packages/*/node_modules
//   node prune-modules.mjs node_modules …   (files only: pass 2)
//   --packages-only: pass 1 only (the Dockerfiles install with --ignore-scripts, drop the
//   packages the app does not load, `npm rebuild` what is left — better-sqlite3 compiles only
//   where it is used — then run pass 2).
// Prints what it removed. Plain JavaScript with no dependencies: it runs before any build.
import fs from 'node:fs';
import path from 'node:path';

/** Files no Node process loads, in any package (licences stay, whatever their extension). */
const NEVER_LOADED = /\.(map|[cm]?ts|md|markdown)$/i;
const LICENCE = /^(licen[cs]e|notice|copying)/i;
/** Files of TF.js's dist/ Node loads besides `main`: the wasm backend's binaries. */
const TFJS_KEEP = /\.wasm$/;

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

/** TF.js packages: in dist/, only `main` (a self-contained CommonJS bundle) and wasm binaries. */
function pruneTfjs(pkgDir, removed) {
  const dist = path.join(pkgDir, 'dist');
  const main = readJson(path.join(pkgDir, 'package.json')).main;
  if (!fs.existsSync(dist) || !main) return;
  const keep = path.resolve(pkgDir, main);
  if (!fs.existsSync(keep)) return;
  for (const entry of fs.readdirSync(dist, { withFileTypes: true })) {
    const file = path.join(dist, entry.name);
    if (file !== keep && !(entry.isFile() && TFJS_KEEP.test(entry.name))) remove(file, removed);
  }
  for (const dir of ['src', 'scripts']) remove(path.join(pkgDir, dir), removed);
}

/** better-sqlite3: lib/ and the compiled addon; SQLite's C sources and object files go. */
function pruneBetterSqlite3(pkgDir, removed) {
  const addon = path.join(pkgDir, 'build', 'Release', 'better_sqlite3.node');
  if (!fs.existsSync(addon)) return; // a prebuilt download elsewhere: leave the package alone
  for (const dir of ['deps', 'src']) remove(path.join(pkgDir, dir), removed);
  for (const entry of fs.readdirSync(path.join(pkgDir, 'build'))) {
    if (entry !== 'Release') remove(path.join(pkgDir, 'build', entry), removed);
  }
  for (const entry of fs.readdirSync(path.dirname(addon))) {
    if (entry !== 'better_sqlite3.node') remove(path.join(path.dirname(addon), entry), removed);
  }
}

const PACKAGE_RULES = {
  'onnxruntime-node': pruneOnnxRuntime,
  'better-sqlite3': pruneBetterSqlite3,
  // `protobufjs/minimal` (what onnx-proto loads) is src/; cli/ is pbjs, dist/ the browser builds.
  protobufjs: (dir, removed) => {
    for (const sub of ['cli', 'dist']) remove(path.join(dir, sub), removed);
  },
  typescript: (dir, removed) => {
    for (const entry of fs.readdirSync(dir)) {
      if (entry !== 'package.json' && !LICENCE.test(entry)) remove(path.join(dir, entry), removed);
    }
  },
};

function pruneFiles(dir, removed) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') pruneFiles(file, removed);
    } else if (NEVER_LOADED.test(entry.name) && !LICENCE.test(entry.name)) remove(file, removed);
  }
}

function remove(target, removed) {
  if (!fs.lstatSync(target, { throwIfNoEntry: false })) return;
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

function readJson(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
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

/** Pass 2 over one node_modules folder: the files no package loads. */
export function pruneModules(modules) {
  const removed = { bytes: 0, paths: 0 };
  for (const { dir, name } of packagesUnder(modules)) {
    if (!fs.existsSync(dir)) continue;
    const rule = PACKAGE_RULES[name] ?? (name.startsWith('@tensorflow/tfjs') ? pruneTfjs : null);
    if (rule) rule(dir, removed);
    if (fs.existsSync(dir)) pruneFiles(dir, removed);
  }
  return removed;
}

/** The package `name` as Node resolves it from `from`: its real directory, or null. */
function resolvePackage(root, from, name) {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return fs.realpathSync(candidate);
    if (dir === root || path.dirname(dir) === dir) return null;
  }
}

/**
 * The package directories an app loads: `imports` (package names its bundle imports) resolved
 * from the app's folder, and everything they depend on. Throws when a required one is missing.
 */
export function packageClosure(root, appDir, imports) {
  const keep = new Set();
  const visit = (from, name, optional) => {
    const dir = resolvePackage(root, from, name);
    if (!dir) {
      if (optional) return;
      throw new Error(
        `${name} (needed by ${path.relative(root, from) || 'the app'}) is not installed`,
      );
    }
    if (keep.has(dir)) return;
    keep.add(dir);
    const pkg = readJson(path.join(dir, 'package.json'));
    const optionalPeers = pkg.peerDependenciesMeta ?? {};
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dir, dep, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dir, dep, true);
    for (const dep of Object.keys(pkg.peerDependencies ?? {}))
      visit(dir, dep, optionalPeers[dep]?.optional === true);
  };
  for (const name of imports) visit(path.join(root, appDir), name, false);
  return keep;
}

/**
 * Pass 1: removes from `moduleDirs` every package outside the app's closure, and the other
 * workspaces; rewrites package.json files to declare what is left.
 */
export function pruneToApp(root, appDir, imports, moduleDirs) {
  const removed = { bytes: 0, paths: 0 };
  const keep = packageClosure(root, appDir, imports);
  const workspaceManifests = [
    path.join(root, 'package.json'),
    ...['apps', 'packages'].flatMap((group) =>
      fs.existsSync(path.join(root, group))
        ? fs
            .readdirSync(path.join(root, group))
            .map((name) => path.join(root, group, name, 'package.json'))
            .filter((file) => fs.existsSync(file))
        : [],
    ),
  ];
  // The range each import was declared with, in whichever workspace declared it.
  const ranges = new Map();
  for (const file of workspaceManifests) {
    const pkg = readJson(file);
    for (const [name, range] of Object.entries({ ...pkg.devDependencies, ...pkg.dependencies }))
      if (!ranges.has(name) || pkg.dependencies?.[name]) ranges.set(name, range);
  }
  for (const modules of moduleDirs) {
    // Workspace links (node_modules/@mlops/*): only the app's own stays.
    for (const link of linksUnder(modules)) {
      if (realpathOrNull(link) !== path.join(root, appDir)) remove(link, removed);
    }
    for (const { dir } of packagesUnder(modules)) {
      if (fs.existsSync(dir) && !keep.has(fs.realpathSync(dir))) remove(dir, removed);
    }
    remove(path.join(modules, '.bin'), removed); // links to commands of removed packages
    // npm's record of the workspace install, which no longer describes this tree.
    remove(path.join(modules, '.package-lock.json'), removed);
    for (const entry of fs.existsSync(modules) ? fs.readdirSync(modules) : []) {
      const scope = path.join(modules, entry);
      if (entry.startsWith('@') && fs.readdirSync(scope).length === 0) fs.rmdirSync(scope);
    }
  }
  // The other workspaces (turbo prune copies their package.json only: the bundle inlines them).
  for (const file of workspaceManifests.slice(1)) {
    const dir = path.dirname(file);
    if (dir !== path.join(root, appDir)) remove(dir, removed);
  }
  for (const group of ['apps', 'packages']) {
    const dir = path.join(root, group);
    if (fs.existsSync(dir) && fs.readdirSync(dir).length === 0) fs.rmdirSync(dir);
  }
  remove(path.join(root, 'package-lock.json'), removed);
  const rootPkg = readJson(path.join(root, 'package.json'));
  writeJson(path.join(root, 'package.json'), {
    name: rootPkg.name,
    version: rootPkg.version,
    private: true,
    type: rootPkg.type,
    workspaces: [appDir],
  });
  const appFile = path.join(root, appDir, 'package.json');
  const { devDependencies: _dev, ...app } = readJson(appFile);
  app.dependencies = Object.fromEntries(
    [...imports].sort().map((name) => {
      const installed = readJson(
        path.join(resolvePackage(root, path.join(root, appDir), name), 'package.json'),
      ).version;
      return [name, ranges.get(name) ?? installed];
    }),
  );
  writeJson(appFile, app);
  return { removed, kept: keep.size };
}

/** The symbolic links directly in `modules` and in its @scope folders. */
function linksUnder(modules) {
  if (!fs.existsSync(modules)) return [];
  return fs.readdirSync(modules, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(modules, entry.name);
    if (entry.isSymbolicLink()) return [file];
    if (!entry.isDirectory() || !entry.name.startsWith('@')) return [];
    return fs
      .readdirSync(file, { withFileTypes: true })
      .filter((scoped) => scoped.isSymbolicLink())
      .map((scoped) => path.join(file, scoped.name));
  });
}

function realpathOrNull(file) {
  try {
    return fs.realpathSync(file);
  } catch {
    return null;
  }
}

function writeJson(file, value) {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name) => {
    const at = args.indexOf(name);
    return at === -1 ? null : args.splice(at, 2)[1];
  };
  const packagesOnly = args.includes('--packages-only');
  if (packagesOnly) args.splice(args.indexOf('--packages-only'), 1);
  const appDir = option('--app');
  const importsFile = option('--imports');
  // A shell glob that matched nothing arrives as itself: such a path is skipped.
  const dirs = (args.length ? args : ['node_modules'])
    .map((d) => path.resolve(d))
    .filter((d) => fs.existsSync(d));
  const mib = (bytes) => (bytes / 1024 ** 2).toFixed(0);
  if (appDir) {
    if (!importsFile) throw new Error('--app needs --imports <externals.json>');
    const imports = readJson(importsFile);
    const { removed, kept } = pruneToApp(process.cwd(), appDir, imports, dirs);
    console.log(
      `prune-modules: ${appDir} imports ${imports.length} packages, ${kept} installed packages ` +
        `kept; removed ${removed.paths} paths, ${mib(removed.bytes)} MiB`,
    );
  }
  for (const modules of packagesOnly ? [] : dirs.filter((d) => fs.existsSync(d))) {
    const removed = pruneModules(modules);
    console.log(
      `prune-modules: ${modules}: removed ${removed.paths} paths, ${mib(removed.bytes)} MiB`,
    );
  }
}
