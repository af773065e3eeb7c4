// Sums the vitest JSON reports of every workspace into the one line CI reads: every `*.json` in
// each `<workspace>/.vitest/` folder (`report.json` from `npm test`, `infra.json` from
// `npm run test:infra`, `e2e.json` from `npm run test:e2e`, …). A workspace with a test script
// but no `report.json` (its test run crashed before reporting) counts as one failure.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const workspaces = rootPkg.workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? fs
        .readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join(pattern.slice(0, -2), d.name))
    : [pattern],
);

let passed = 0;
let failed = 0;
for (const ws of workspaces) {
  const pkgFile = path.join(root, ws, 'package.json');
  if (!fs.existsSync(pkgFile)) continue;
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8'));
  if (!pkg.scripts?.test) continue;
  const dir = path.join(root, ws, '.vitest');
  const reports = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .sort()
    : [];
  if (!reports.includes('report.json')) {
    console.log(`${ws}: no test report (its test run crashed or did not run)`);
    failed += 1;
  }
  for (const file of reports) {
    const label = file === 'report.json' ? ws : `${ws} (${file.replace(/\.json$/, '')})`;
    let r;
    try {
      r = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8'));
    } catch {
      console.log(`${label}: unreadable report ${file}`);
      failed += 1;
      continue;
    }
    const wsFailed =
      r.numFailedTests + (r.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(r);
    passed += r.numPassedTests;
    failed += Math.max(r.numFailedTests, wsFailed);
    console.log(
      `${label}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numFailedTestSuites ? `, ${r.numFailedTestSuites} failed files` : ''}`,
    );
  }
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

// A file that fails to load has no tests but counts as a failed suite: count it once.
function countSuitesWithFailedTests(r) {
  return (r.testResults ?? []).filter((t) =>
    (t.assertionResults ?? []).some((a) => a.status === 'failed'),
  ).length;
}
