import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetFormat } from '@mlops/contracts';
import { canonicalize } from '../src/domain/datasets/canonicalize';
import { parseHints, type Hints } from '../src/domain/datasets/hints';
import { SchemaInferrer, type Inference } from '../src/domain/datasets/infer';
import { emptyDataset, readRecords } from '../src/domain/datasets/records';
import { ingestInferred, PREFIX_ROWS } from '../src/domain/datasets/single-pass';

/**
 * The single pass against the two passes ingest ran before it (kept here as the reference):
 * infer over every row, then canonicalise under the final inference. Whether the speculation
 * holds or falls back, the upload must get the same inference, canonical bytes, hash and profile,
 * or the same error.
 */
let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'single-pass-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

let files = 0;
const file = (suffix: string) => path.join(dir, `f${++files}${suffix}`);

async function twoPasses(raw: string, format: DatasetFormat, hints: Hints) {
  let inferrer: SchemaInferrer | null = null;
  for await (const item of readRecords(raw, format)) {
    if (item.kind === 'header') inferrer = new SchemaInferrer(item.columns, hints);
    else if (item.kind === 'row') inferrer?.add(item.cells, item.row);
  }
  if (!inferrer) throw emptyDataset();
  const inference: Inference = inferrer.infer();
  const out = file('.jsonl');
  const canonical = await canonicalize(raw, format, inference.columns, out, inference.missing);
  return { inference, canonical, bytes: await fsp.readFile(out) };
}

async function onePass(raw: string, format: DatasetFormat, hints: Hints) {
  const { inference, canonical, canonicalFile, onePass } = await ingestInferred(
    raw,
    format,
    hints,
    () => file('.jsonl'),
  );
  return { inference, canonical, bytes: await fsp.readFile(canonicalFile), held: onePass };
}

/** Outcome of a pass as comparable data: the result, or the error's code, message, details. */
async function outcome<T>(run: () => Promise<T>): Promise<T | { error: unknown }> {
  try {
    return await run();
  } catch (err) {
    const e = err as { code?: string; message: string; details?: unknown };
    return { error: { code: e.code, message: e.message, details: e.details } };
  }
}

/** Both ways on the same file; answers whether the single pass kept its own canonical form. */
async function same(body: string, format: DatasetFormat = 'csv', query = {}): Promise<boolean> {
  const raw = file(`.${format}`);
  fs.writeFileSync(raw, body);
  const hints = parseHints(query);
  const reference = await outcome(() => twoPasses(raw, format, hints));
  const single = await outcome(() => onePass(raw, format, hints));
  if ('error' in reference) {
    expect(single).toEqual(reference);
    return false;
  }
  if ('error' in single) throw new Error(`single pass failed: ${JSON.stringify(single.error)}`);
  expect(single.inference).toEqual(reference.inference);
  expect(single.canonical).toEqual(reference.canonical);
  expect(single.bytes.equals(reference.bytes)).toBe(true);
  return single.held;
}

/** `rows` data rows; `cell(column, row)` gives each value (row 1-based). */
function csv(columns: string[], rows: number, cell: (c: string, row: number) => string): string {
  const lines = [columns.join(',')];
  for (let r = 1; r <= rows; r++) lines.push(columns.map((c) => cell(c, r)).join(','));
  return lines.join('\n') + '\n';
}

const PAST = PREFIX_ROWS + 500;
const ROWS = PREFIX_ROWS + 1_000;
const base = (c: string, r: number) =>
  c === 'x' ? ((r * 7919) % 1000) / 8 + '' : c === 'k' ? `k${r % 5}` : String(r % 3 === 0);

describe('ingest in one pass', () => {
  it('keeps its canonical form when the rest of the file agrees with the prefix', async () => {
    expect(await same(csv(['x', 'k', 'b'], ROWS, base))).toBe(true);
    // Missing values, "n/a" tokens and new categories past the prefix change no cell's value.
    const later = (c: string, r: number) =>
      r === PAST && c === 'x'
        ? 'n/a'
        : r === PAST + 1
          ? ''
          : r === PAST + 2 && c === 'k'
            ? 'new'
            : base(c, r);
    expect(await same(csv(['x', 'k', 'b'], ROWS, later))).toBe(true);
    // Duplicated rows, counted the same.
    expect(await same(csv(['k', 'b'], ROWS, (c, r) => base(c, r % 40)))).toBe(true);
  });

  it('falls back to a second pass when a value past the prefix changes a type', async () => {
    const text = (c: string, r: number) => (r === PAST && c === 'x' ? 'oops' : base(c, r));
    expect(await same(csv(['x', 'k', 'b'], ROWS, text))).toBe(false);
    const notBoolean = (c: string, r: number) => (r === PAST && c === 'b' ? 'maybe' : base(c, r));
    expect(await same(csv(['x', 'b'], ROWS, notBoolean))).toBe(false);
    // So many tokens past the prefix that they are data: the column turns categorical.
    const tokens = (c: string, r: number) => (r > PREFIX_ROWS && c === 'x' ? '-' : base(c, r));
    expect(await same(csv(['x', 'k'], ROWS + 2_000, tokens))).toBe(false);
  });

  it('gives the same dates, JSON cells and small files, held or not', async () => {
    const dates = (c: string, r: number) =>
      c === 'd'
        ? r === PAST
          ? 'n/a'
          : new Date(Date.UTC(2020, 0, 1) + r * 3_600_000).toISOString()
        : base(c, r);
    expect(await same(csv(['d', 'x'], ROWS, dates))).toBe(true);
    // JSON Lines: numbers, booleans, a padded "NA" that is not a missing value in a numeric column.
    const lines = Array.from({ length: ROWS }, (_, i) =>
      JSON.stringify({ n: i === PAST ? ' NA' : i / 4, s: `s${i % 9}`, t: i % 2 === 0 }),
    );
    await same(lines.join('\n') + '\n', 'jsonl');
    expect(
      await same(csv(['x', 'k'], 50, (c, r) => (r === 40 && c === 'x' ? 'abc' : base(c, r)))),
    ).toBe(true);
  });

  it('fails as the two passes did: bad rows, hints that do not fit, empty files', async () => {
    const short = csv(['x', 'k'], ROWS, base).replace(/\n([^\n]*)\n$/, '\n1\n');
    expect(await same(short)).toBe(false);
    const text = (c: string, r: number) => (r === PAST && c === 'x' ? 'oops' : base(c, r));
    const hinted = { hints: JSON.stringify({ columns: { x: { type: 'numeric' } } }) };
    expect(await same(csv(['x', 'k'], ROWS, text), 'csv', hinted)).toBe(false);
    expect(await same('x,k\n')).toBe(false);
  });
});
