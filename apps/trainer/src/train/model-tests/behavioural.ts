import type {
  BehaviouralTest,
  Column,
  DataRow,
  ModelTestResult,
  Preprocessing,
} from '@mlops/contracts';

/** The version's raw output for rows (probabilities, or standardized predictions). */
export type RawPredict = (rows: readonly DataRow[]) => Promise<Float32Array>;

interface Ctx {
  prep: Preprocessing;
  features: readonly Column[];
  test: readonly DataRow[];
  predict: RawPredict;
}

/** Per row: the label index (classifiers) or the prediction in the target's units. */
function decode(prep: Preprocessing, output: Float32Array, rows: number): number[] {
  const t = prep.target;
  if (t.kind !== 'label-encode') return Array.from(output, (v) => v * t.std + t.mean);
  const k = t.labels.length;
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < k; c++)
      if ((output[r * k + c] ?? 0) > (output[r * k + best] ?? 0)) best = c;
    return best;
  });
}

function result(
  test: BehaviouralTest,
  held: number,
  total: number,
  detail: string,
): ModelTestResult {
  const rate = total === 0 ? 0 : held / total;
  return {
    name: test.name,
    kind: test.kind,
    passed: total > 0 && rate >= test.minPassRate,
    value: rate,
    threshold: test.minPassRate,
    detail: `${held}/${total} ${detail}`.slice(0, 1_000),
  };
}

function refused(test: BehaviouralTest, why: string): ModelTestResult {
  return {
    name: test.name,
    kind: test.kind,
    passed: false,
    value: null,
    threshold: test.minPassRate,
    detail: why,
  };
}

/**
 * The behavioural tests declared with the run (CheckList's three kinds), on the version's own
 * predictions: invariance and directional tests perturb the first held-out rows; minimum
 * functionality tests predict the declared rows. A test that cannot run (unknown feature,
 * non-numeric directional feature, unknown label) fails and says why.
 */
export async function behaviouralTests(
  tests: readonly BehaviouralTest[],
  ctx: Ctx,
): Promise<ModelTestResult[]> {
  const out: ModelTestResult[] = [];
  for (const test of tests) out.push(await runOne(test, ctx));
  return out;
}

async function runOne(test: BehaviouralTest, ctx: Ctx): Promise<ModelTestResult> {
  const { prep } = ctx;
  const t = prep.target;
  const classifier = t.kind === 'label-encode';
  if (test.kind === 'minimum_functionality') {
    const rows = test.cases.map((c) => c.row);
    const got = decode(prep, await ctx.predict(rows), rows.length);
    let held = 0;
    const misses: string[] = [];
    test.cases.forEach((c, i) => {
      const g = got[i] ?? NaN;
      const answer = classifier ? (t.labels[g] ?? String(g)) : g;
      const ok = classifier
        ? answer === String(c.expect)
        : Math.abs(g - Number(c.expect)) <= test.tolerance;
      if (ok) held++;
      else if (misses.length < 3)
        misses.push(
          `case ${i}: expected ${c.expect}, got ${typeof answer === 'number' ? answer.toPrecision(4) : answer}`,
        );
    });
    return result(
      test,
      held,
      rows.length,
      `cases predicted as declared${misses.length ? `; ${misses.join('; ')}` : ''}`,
    );
  }
  const feature = ctx.features.find((f) => f.name === test.feature);
  if (!feature) return refused(test, `"${test.feature}" is not a feature of this model`);
  const base = ctx.test.slice(0, test.rows);
  if (base.length === 0) return refused(test, 'the held-out split has no rows');
  const before = await ctx.predict(base);

  if (test.kind === 'invariance') {
    const ref = decode(prep, before, base.length);
    const stable = base.map(() => true);
    for (const value of test.values) {
      const changed = base.map((r) => ({ ...r, [test.feature]: value }));
      const got = decode(prep, await ctx.predict(changed), base.length);
      got.forEach((g, i) => {
        const same = classifier ? g === ref[i] : Math.abs(g - (ref[i] ?? 0)) <= test.tolerance;
        if (!same) stable[i] = false;
      });
    }
    const held = stable.filter(Boolean).length;
    return result(
      test,
      held,
      base.length,
      `rows kept their ${classifier ? 'label' : 'output'} when ${test.feature} took each of ${test.values.length} value(s)`,
    );
  }

  // directional
  if (feature.type !== 'numeric')
    return refused(test, `"${test.feature}" is ${feature.type}, not numeric`);
  let column = 0;
  if (classifier) {
    if (test.label === undefined)
      return refused(test, 'a classifier needs `label`: whose probability must move');
    column = t.labels.indexOf(test.label);
    if (column < 0)
      return refused(test, `"${test.label}" is not a class of this model (${t.labels.join(', ')})`);
  }
  const rows = base.filter((r) => typeof r[test.feature] === 'number');
  if (rows.length === 0) return refused(test, `no held-out row has a value of ${test.feature}`);
  const moved = rows.map((r) => ({
    ...r,
    [test.feature]: (r[test.feature] as number) + test.delta,
  }));
  const a = await ctx.predict(rows);
  const b = await ctx.predict(moved);
  const width = classifier ? t.labels.length : 1;
  const scale = classifier ? 1 : t.std;
  const sign = test.direction === 'increase' ? 1 : -1;
  let held = 0;
  for (let i = 0; i < rows.length; i++) {
    const diff = ((b[i * width + column] ?? 0) - (a[i * width + column] ?? 0)) * scale;
    if (sign * diff >= -test.tolerance) held++;
  }
  const what = classifier ? `P(${test.label})` : 'the prediction';
  return result(
    test,
    held,
    rows.length,
    `rows where adding ${test.delta} to ${test.feature} did not ${test.direction === 'increase' ? 'decrease' : 'increase'} ${what}`,
  );
}
