// Sums the vitest JSON reports of every workspace (`<workspace>/.vitest/report.json`) into the
// one line CI reads. A workspace whose tests crashed before reporting counts as one failure.
import fs from 'node:fs';
import path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const workspaces = rootPkg.workspaces.flatMap((pattern) =>
  pattern.endsWith('/*')
    ? fs.readdirSync(path.join(root, pattern.slice(0, -2)), { withFileTypes: true })
        .filter((d) => d.isDirectory())
        .map((d) => path.join(pattern.slice(0, -2), d.name))
    : [pattern],
);

let passed = 0;
let failed = 0;
for (const ws of workspaces) {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, ws, 'package.json'), 'utf8'));
  if (!pkg.scripts?.test) continue;
  const report = path.join(root, ws, '.vitest', 'report.json');
  if (!fs.existsSync(report)) {
    console.log(`${ws}: no test report (its test run crashed or did not run)`);
    failed += 1;
    continue;
  }
  const r = JSON.parse(fs.readFileSync(report, 'utf8'));
  const wsFailed = r.numFailedTests + (r.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(r);
  passed += r.numPassedTests;
  failed += Math.max(r.numFailedTests, wsFailed);
  console.log(`${ws}: ${r.numPassedTests} passed, ${r.numFailedTests} failed${r.numFailedTestSuites ? `, ${r.numFailedTestSuites} failed files` : ''}`);
}
console.log(`tests: ${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);

// A file that fails to load has no tests but counts as a failed suite: count it once.
function countSuitesWithFailedTests(r) {
  return (r.testResults ?? []).filter((t) => (t.assertionResults ?? []).some((a) => a.status === 'failed')).length;
}
