import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CellValue, Column } from '@mlops/contracts';
import { ProfileBuilder } from '@mlops/ml/profile';
import { mulberry32 } from '@mlops/ml/split';
import { DuplicateCounter } from '@mlops/ml/validation';
import { CanonicalWriter } from '../src/domain/datasets/canonical-writer';
import { scanNumber, scanned } from '../src/domain/datasets/number-text';

/**
 * The canonical writer, which encodes each line into its byte chunk, against the writer it
 * replaced (kept here as the reference): `JSON.stringify` of each row, those lines hashed and
 * written as UTF-8, the duplicate digest of each line's string. Bytes, hash, size, profile and
 * duplicate count must be identical for rows of every kind of value.
 */
let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'canonical-writer-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

const STRINGS = [
  '',
  'paris',
  'a b',
  'say "hi"',
  'back\\slash',
  'tab\there',
  'two\nlines',
  'nul\u0000',
  'del\u007f',
  'café',
  '東京',
  'x😀y',
  'lone \ud83d',
  'lone \ude00 low',
  '\u2028sep',
  '2024-01-02T03:04:05.000Z',
  'true',
  'null',
];
const NUMBER_TEXTS = [
  '0',
  '-0',
  '007',
  '1.50',
  '1e5',
  '-2.5E-3',
  '123456789012345678901',
  '0.0000001',
  '3.25',
  '-7',
  '+4',
  '.5',
  '5.',
  '9007199254740993',
  '1e308',
];

/** A random value of `kind`; a number comes with its JSON text when the scanner gives one. */
function cell(rng: Rng, kind: number): { value: CellValue; text: string | null } {
  if (rng() < 0.05) return { value: null, text: null };
  if (kind === 0) {
    const s =
      rng() < 0.5
        ? ((rng() * 2000 - 1000) / 8).toFixed(Math.floor(rng() * 4))
        : pick(rng, NUMBER_TEXTS);
    const value = scanNumber(s);
    return { value, text: scanned.text };
  }
  if (kind === 1)
    return { value: pick(rng, [1e21, -0, 0.1 + 0.2, 5e-7, 2 ** 60, NaN]), text: null };
  if (kind === 2) return { value: rng() < 0.5, text: null };
  const s = pick(rng, STRINGS);
  return { value: rng() < 0.2 ? s.repeat(1 + Math.floor(rng() * 50)) : s, text: null };
}

async function both(seed: number) {
  const rng = mulberry32(seed);
  const width = 1 + Math.floor(rng() * 6);
  const kinds = Array.from({ length: width }, () => Math.floor(rng() * 4));
  const columns: Column[] = kinds.map((k, j) => ({
    name: `c${j}`,
    type: k <= 1 ? 'numeric' : k === 2 ? 'boolean' : 'categorical',
    nullable: true,
  }));
  const rows: Array<{ values: CellValue[]; texts: Array<string | null> }> = [];
  const count = 1 + Math.floor(rng() * (rng() < 0.1 ? 30_000 : 300));
  for (let r = 0; r < count; r++) {
    // Some rows again: duplicates to count.
    const again = rows.length > 0 && rng() < 0.2 ? pick(rng, rows) : null;
    const cells = again ? null : kinds.map((k) => cell(rng, k));
    rows.push(
      again ?? {
        values: (cells ?? []).map((c) => c.value),
        texts: (cells ?? []).map((c) => c.text),
      },
    );
  }
  const out = path.join(dir, `${seed}.jsonl`);
  const writer = new CanonicalWriter(out, columns);
  try {
    for (const row of rows) await writer.add(row.values, rng() < 0.5 ? row.texts : undefined);
  } finally {
    await writer.close();
  }
  const got = { canonical: writer.result(), bytes: await fsp.readFile(out) };

  const lines = rows.map((row) => JSON.stringify(row.values));
  const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  const profile = new ProfileBuilder(columns);
  const duplicates = new DuplicateCounter();
  for (const [i, row] of rows.entries()) {
    profile.addValues(row.values);
    duplicates.add(lines[i] ?? '');
  }
  const want = {
    canonical: {
      hash: createHash('sha256').update(bytes).digest('hex'),
      rowCount: rows.length,
      sizeBytes: bytes.length,
      profile: { ...profile.finish(), duplicateRows: duplicates.count },
    },
    bytes,
  };
  return { got, want };
}

describe('the canonical writer', () => {
  it('writes, hashes, profiles and counts duplicates as the line strings did', async () => {
    let duplicates = 0;
    for (let seed = 1; seed <= 60; seed++) {
      const { got, want } = await both(seed);
      expect(got.bytes.equals(want.bytes), `seed ${seed}`).toBe(true);
      expect(got.canonical, `seed ${seed}`).toEqual(want.canonical);
      duplicates += want.canonical.profile.duplicateRows;
    }
    expect(duplicates).toBeGreaterThan(100);
  });
});
