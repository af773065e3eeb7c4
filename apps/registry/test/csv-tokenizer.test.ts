import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsvSync } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '@mlops/ml/split';
import type { Column } from '@mlops/contracts';
import { rowLine } from '../src/domain/datasets/canonical-writer';
import { canonicalize } from '../src/domain/datasets/canonicalize';
import { toNumber } from '../src/domain/datasets/cells';
import { CsvFallback, CsvTokenizer } from '../src/domain/datasets/csv-tokenizer';
import type { CsvReader } from '../src/domain/datasets/each-record';
import { scanned } from '../src/domain/datasets/number-text';
import { ingestInferred } from '../src/domain/datasets/single-pass';

/**
 * The tokenizer against csv-parse, which ingest read every CSV with before it: seeded random
 * files with quotes, escaped quotes, line breaks inside quotes, blanks, BOMs, CRLF, numbers in
 * every notation, dates, unicode, bad rows and syntax errors. The tokenizer must give csv-parse's
 * records or give up (CsvFallback); an upload must end the same either way — inference, canonical
 * bytes, hash, profile, duplicates, or the same error with the same rows.
 */
let dir: string;
beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'csv-tokenizer-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

const OPTIONS = { bom: true, trim: true, skip_empty_lines: true, relax_column_count: true };

/** csv-parse's records of `bytes`, or its error's code. */
function reference(bytes: Buffer): string[][] | { error: string } {
  try {
    const records: string[][] = parseCsvSync(bytes, OPTIONS);
    return records;
  } catch (err) {
    return { error: (err as { code?: string }).code ?? 'error' };
  }
}

/**
 * The tokenizer's records of `bytes` fed in pieces cut at `cuts`, or 'fallback'; with `reuse`,
 * every record is read into one array (`next(into)`) and copied out.
 */
function tokenized(bytes: Buffer, cuts: number[], reuse = false): string[][] | 'fallback' {
  const tokenizer = new CsvTokenizer();
  const records: string[][] = [];
  const into = reuse ? ['left', 'from', 'before'] : undefined;
  const take = (r: string[]) => records.push(reuse ? [...r] : r);
  try {
    let from = 0;
    for (const cut of [...cuts, bytes.length]) {
      if (cut <= from) continue;
      tokenizer.feed(bytes.subarray(from, cut));
      from = cut;
      for (let r = tokenizer.next(into); r; r = tokenizer.next(into)) take(r);
    }
    tokenizer.feed(null);
    for (let r = tokenizer.next(into); r; r = tokenizer.next(into)) take(r);
  } catch (err) {
    if (err instanceof CsvFallback) return 'fallback';
    throw err;
  }
  return records;
}

type Rng = () => number;
const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;

const NUMBERS = [
  '0',
  '-0',
  '12',
  '-7',
  '+4',
  '3.25',
  '-0.5',
  '.5',
  '5.',
  '007',
  '1e3',
  '-2.5E-3',
  '1.0',
  '0.000001',
  '0.0000001',
  '123456789012345678',
  '1e400',
  '0x10',
  '1,5',
];
const TOKENS = ['', 'NA', 'n/a', 'N/A', '-', 'null', '?'];
const WORDS = ['paris', 'café', '東京', 'naïve', 'a b', 'x😀y', 'Zoë', 'true', 'FALSE', 'k1'];
const DATES = ['2024-01-02', '2024/01/02', '02.01.2024', '2024-01-02T03:04:05Z', '2024-13-45'];
const KINDS = ['number', 'word', 'date', 'bool', 'mixed'] as const;

/** One cell's text before quoting: mostly of the column's kind, sometimes anything. */
function value(rng: Rng, kind: (typeof KINDS)[number], row: number): string {
  const r = rng();
  if (r < 0.04) return pick(rng, TOKENS);
  if (r < 0.06) return pick(rng, [...NUMBERS, ...WORDS, ...DATES]);
  if (kind === 'number')
    return rng() < 0.7
      ? ((rng() * 2000 - 1000) / 8).toFixed(rng() < 0.5 ? 3 : 1)
      : pick(rng, NUMBERS);
  if (kind === 'word') return pick(rng, WORDS) + (rng() < 0.3 ? String(row % 4) : '');
  if (kind === 'date') return pick(rng, DATES.slice(0, 4));
  if (kind === 'bool') return pick(rng, ['true', 'false', 'TRUE', 'False']);
  return pick(rng, [...NUMBERS, ...WORDS, ...DATES, 'a,b', 'say "hi"', 'two\nlines', 'crlf\r\nx']);
}

/** A cell as written: quoted when it must be, sometimes when not, blanks around sometimes. */
function field(rng: Rng, text: string): string {
  const must = /[",\r\n]/.test(text) || /^\s|\s$/.test(text);
  let out = must || rng() < 0.1 ? `"${text.replaceAll('"', '""')}"` : text;
  if (rng() < 0.05) out = `${pick(rng, [' ', '\t', '  '])}${out}`;
  if (rng() < 0.05) out = `${out}${pick(rng, [' ', '\t', '\f'])}`;
  return out;
}

/** A damage that makes csv-parse fail or read differently, or nothing. */
function damage(rng: Rng, line: string): string {
  const r = rng();
  if (r < 0.2) return `${line},extra`; // a bad row: one column too many
  if (r < 0.35) return line.split(',').slice(1).join(','); // one too few
  if (r < 0.45) return `${line}"`; // a quote in an unquoted field (or a broken close)
  if (r < 0.55) return `"${line}`; // a quote not closed
  if (r < 0.65) return `${line}\r`; // a lone CR
  if (r < 0.75) return '   '; // a line of blanks
  if (r < 0.85) return ''; // an empty line
  if (r < 0.95) return `"a"b,${line}`; // a character after a closing quote
  return `\uFEFF${line}`; // a BOM inside the file
}

/** A seeded CSV: header, rows, line endings, BOM, last newline, damages as asked. */
function randomCsv(seed: number, damaged: boolean): { bytes: Buffer; columns: number } {
  const rng = mulberry32(seed);
  const width = 1 + Math.floor(rng() * 5);
  const kinds = Array.from({ length: width }, () => pick(rng, KINDS));
  const rows = 1 + Math.floor(rng() * (rng() < 0.2 ? 400 : 40));
  const eol = rng() < 0.3 ? '\r\n' : '\n';
  const lines = [
    Array.from({ length: width }, (_, j) => (rng() < 0.1 ? `"c${j}"` : `c${j}`)).join(','),
  ];
  for (let r = 1; r <= rows; r++) {
    let line = kinds.map((k) => field(rng, value(rng, k, r))).join(',');
    if (damaged && rng() < 0.03) line = damage(rng, line);
    else if (rng() < 0.01) lines.push(''); // an empty line, skipped
    lines.push(line);
  }
  let text = lines.join(eol) + (rng() < 0.8 ? eol : '');
  if (rng() < 0.15) text = `\uFEFF${text}`;
  if (damaged && rng() < 0.05) text = text.replace(/\r?\n/, '\r'); // one Mac line ending
  return { bytes: Buffer.from(text, 'utf8'), columns: width };
}

function cutsOf(rng: Rng, length: number): number[] {
  const n = Math.floor(rng() * 6);
  return Array.from({ length: n }, () => Math.floor(rng() * length)).sort((a, b) => a - b);
}

/** An upload's outcome as data: inference, canonical form and bytes, or the error. */
async function ingestWith(file: string, reader: CsvReader, n: number) {
  try {
    const got = await ingestInferred(
      file,
      'csv',
      new Map(),
      () => path.join(dir, `${n}-${reader}-${Math.random().toString(36).slice(2)}.jsonl`),
      reader,
    );
    return {
      inference: got.inference,
      canonical: got.canonical,
      onePass: got.onePass,
      bytes: (await fsp.readFile(got.canonicalFile)).toString('base64'),
    };
  } catch (err) {
    const e = err as { code?: string; message: string; details?: unknown };
    return { error: { code: e.code, message: e.message, details: e.details } };
  }
}

async function canonicalWith(file: string, reader: CsvReader, columns: Column[], n: number) {
  try {
    const out = path.join(dir, `${n}-schema-${reader}.jsonl`);
    const canonical = await canonicalize(file, 'csv', columns, out, new Map(), reader);
    return { canonical, bytes: (await fsp.readFile(out)).toString('base64') };
  } catch (err) {
    const e = err as { code?: string; message: string; details?: unknown };
    return { error: { code: e.code, message: e.message, details: e.details } };
  }
}

describe('the CSV tokenizer', () => {
  it("gives csv-parse's records, fed in any pieces, or falls back", () => {
    let fast = 0;
    let cleanFallbacks = 0;
    for (let seed = 1; seed <= 1500; seed++) {
      const damaged = seed % 3 === 0;
      const { bytes } = randomCsv(seed, damaged);
      const rng = mulberry32(seed * 7919);
      const expected = reference(bytes);
      const whole = tokenized(bytes, []);
      const pieces = tokenized(bytes, cutsOf(rng, bytes.length));
      const bytewise =
        seed % 50 === 0
          ? tokenized(
              bytes,
              Array.from({ length: bytes.length }, (_, i) => i),
            )
          : whole;
      expect(pieces, `seed ${seed}`).toEqual(whole);
      // One array refilled a record, as ingest reads once it keeps no row: the same records.
      expect(tokenized(bytes, cutsOf(rng, bytes.length), true), `seed ${seed}`).toEqual(whole);
      expect(bytewise, `seed ${seed}`).toEqual(whole);
      if (whole === 'fallback') {
        if (!damaged) cleanFallbacks += 1;
        continue;
      }
      fast += 1;
      expect(whole, `seed ${seed}`).toEqual(expected);
    }
    // Undamaged files are read by the tokenizer itself, bar the odd one (blanks after a CR).
    expect(cleanFallbacks).toBeLessThan(25);
    expect(fast).toBeGreaterThan(1100);
  });

  it('reads the constructs csv-parse accepts, and gives up where it fails', () => {
    const cases: Array<[string, string[][] | 'fallback']> = [
      [
        'a,b\n1,2\n',
        [
          ['a', 'b'],
          ['1', '2'],
        ],
      ],
      [
        '\uFEFFa,b\r\n"x, y","say ""hi"""\r\n',
        [
          ['a', 'b'],
          ['x, y', 'say "hi"'],
        ],
      ],
      ['a\n"two\nlines"\n\n   \n b \n', [['a'], ['two\nlines'], ['b']]],
      [
        'a,b\n  "q" ,\t"r"\t\n',
        [
          ['a', 'b'],
          ['q', 'r'],
        ],
      ],
      [
        'a,b\n1,\n,\n',
        [
          ['a', 'b'],
          ['1', ''],
          ['', ''],
        ],
      ],
      ['a\n""\n', [['a'], ['']]],
      [
        'a,b\n1,2',
        [
          ['a', 'b'],
          ['1', '2'],
        ],
      ],
      [
        'a,b\n1,\u00a0x\u00a0\n',
        [
          ['a', 'b'],
          ['1', '\u00a0x'],
        ],
      ],
      ['a\n"open\n', 'fallback'],
      ['a\nb"c\n', 'fallback'],
      ['a\n"b"c\n', 'fallback'],
      ['a\rb\r', 'fallback'],
      ['a\r\nb\nc\r\n', 'fallback'],
      ['a\nb\r\n', 'fallback'],
      ['\xff\xfea', 'fallback'],
      ['a', 'fallback'],
    ];
    for (const [text, want] of cases) {
      const bytes = Buffer.from(text, text.startsWith('\xff') ? 'latin1' : 'utf8');
      expect(tokenized(bytes, []), JSON.stringify(text)).toEqual(want);
      if (want !== 'fallback') expect(reference(bytes)).toEqual(want);
    }
  });

  it('leaves every upload as csv-parse left it: same outputs or the same error', async () => {
    let held = 0;
    let failed = 0;
    for (let seed = 1; seed <= 240; seed++) {
      const { bytes, columns } = randomCsv(10_000 + seed, seed % 4 === 0);
      const file = path.join(dir, `in-${seed}.csv`);
      await fsp.writeFile(file, bytes);
      const old = await ingestWith(file, 'csv-parse', seed);
      const now = await ingestWith(file, 'tokenizer', seed);
      expect(now, `seed ${seed}`).toEqual(old);
      if ('error' in old) failed += 1;
      else if (old.onePass) held += 1;
      // A `?schema=` upload: every column categorical but the first, numeric (bad rows listed).
      const schema: Column[] = Array.from({ length: columns }, (_, j) => ({
        name: `c${j}`,
        type: j === 0 ? 'numeric' : 'categorical',
        nullable: j !== 0,
      }));
      expect(await canonicalWith(file, 'tokenizer', schema, seed), `seed ${seed}`).toEqual(
        await canonicalWith(file, 'csv-parse', schema, seed),
      );
    }
    expect(held).toBeGreaterThan(50);
    expect(failed).toBeGreaterThan(5);
  });
});

describe('numbers read from their text', () => {
  const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
  /** What toNumber gave before the scanner: the pattern, then Number. */
  const before = (s: string): number | undefined => {
    const t = s.trim();
    if (!NUMBER.test(t)) return undefined;
    const n = Number(t);
    return Number.isFinite(n) ? n : undefined;
  };

  it('gives the value Number gives and the JSON text only where JSON.stringify prints it', () => {
    const rng = mulberry32(42);
    const digits = (n: number) =>
      Array.from({ length: n }, () => String(Math.floor(rng() * 10))).join('');
    const samples = [...NUMBERS, '', '.', '+', '-', '1e', 'e5', '1.2.3', ' 4 ', '0.0', '00', '-.5'];
    for (let i = 0; i < 20_000; i++) {
      const sign = pick(rng, ['', '', '-', '+']);
      const int = rng() < 0.2 ? '0' : digits(Math.floor(rng() * 10));
      const frac = rng() < 0.6 ? `.${digits(Math.floor(rng() * 10))}` : '';
      const exp =
        rng() < 0.1 ? `e${pick(rng, ['', '-', '+'])}${digits(1 + Math.floor(rng() * 3))}` : '';
      samples.push(
        `${sign}${int}${frac}${exp}`,
        `${sign}0.${'0'.repeat(Math.floor(rng() * 8))}${digits(3)}`,
      );
    }
    let texts = 0;
    for (const s of samples) {
      scanned.text = null;
      const n = toNumber(s);
      expect(Object.is(n, before(s)), s).toBe(true);
      if (n === undefined) continue;
      if (scanned.text !== null) {
        texts += 1;
        expect(scanned.text, s).toBe(JSON.stringify(n));
      }
      const line = rowLine([n, s, true, null], [scanned.text, null, null, null]);
      expect(line, s).toBe(JSON.stringify([n, s, true, null]));
    }
    expect(texts).toBeGreaterThan(5_000);
    for (const s of ['a"b', 'back\\slash', 'tab\there', '\ud83d', '😀', 'é'])
      expect(rowLine([s], [null])).toBe(JSON.stringify([s]));
  });
});
