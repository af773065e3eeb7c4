import { describe, expect, it } from 'vitest';
import {
  PREDICTION_LOG_FIELD,
  PREDICTION_LOG_REDACTED,
  decodePredictionLogColumns,
  encodePredictionLogColumns,
  parsePredictionLogMessage,
  type PredictionLogColumnsInput,
} from '../src';

const base = { model: 'churn', version: 3, at: '2026-11-26T18:00:00.000Z' };
const bytesOf = (s: string) => new TextEncoder().encode(s);

type RowsInput = PredictionLogColumnsInput & Required<Pick<PredictionLogColumnsInput, 'rows'>>;

function classification(): RowsInput {
  return {
    ...base,
    ids: ['a', 'b', 'c'],
    rows: [
      { x: 0.1 + 0.2, colour: 'red', ok: true },
      { x: -0, colour: 'blue', ok: false },
      { x: 1e-300, colour: null, ok: null },
    ],
    predictions: [
      { label: 'yes', probabilities: { yes: Math.fround(0.7), no: Math.fround(0.3) } },
      { label: 'no', probabilities: { yes: 0.25, no: 0.75 } },
      { label: 'no', probabilities: { yes: 0, no: 1 } },
    ],
  };
}

describe('the binary columns message of the prediction log', () => {
  it('round-trips a classifier’s rows exactly: doubles bit for bit, other cells as sent', () => {
    const input = classification();
    const entries = decodePredictionLogColumns(encodePredictionLogColumns(input));
    expect(entries).toEqual(
      input.rows.map((features, i) => ({
        ...base,
        id: input.ids[i],
        features,
        prediction: input.predictions[i],
      })),
    );
    expect(Object.is(entries?.[1]?.features.x, -0)).toBe(true);
  });

  it('carries what serving flagged per row, and reads messages without it as unflagged', () => {
    const input = classification();
    const flagged = encodePredictionLogColumns({
      ...input,
      quality: [null, { unknownCategories: ['colour'], outsideTrainingRange: ['x'] }, {}],
    });
    const entries = decodePredictionLogColumns(flagged);
    expect(entries?.map((e) => e.quality)).toEqual([
      undefined,
      { unknownCategories: ['colour'], outsideTrainingRange: ['x'] },
      undefined,
    ]);
    // Nothing flagged writes the message as before: older readers see the same bytes.
    expect(encodePredictionLogColumns({ ...input, quality: [null, {}, null] })).toEqual(
      encodePredictionLogColumns(input),
    );
    expect(decodePredictionLogColumns(encodePredictionLogColumns(input))?.[1]).not.toHaveProperty(
      'quality',
    );
  });

  it('round-trips a regression, and predictions of mixed shapes as JSON', () => {
    const rows = [
      { a: 1, b: 2 },
      { a: 3, b: 4 },
    ];
    const regression = {
      ...base,
      ids: ['1', '2'],
      rows,
      predictions: [{ value: 1.5 }, { value: -2 }],
    };
    expect(
      decodePredictionLogColumns(encodePredictionLogColumns(regression))?.map((e) => e.prediction),
    ).toEqual([{ value: 1.5 }, { value: -2 }]);
    const mixed = {
      ...regression,
      predictions: [{ value: 1 }, { label: 'x', probabilities: { x: 1 } }],
    };
    expect(
      decodePredictionLogColumns(encodePredictionLogColumns(mixed))?.map((e) => e.prediction),
    ).toEqual(mixed.predictions);
    // Classes that differ between rows are kept as they are, not forced into one set.
    const classes: PredictionLogColumnsInput = {
      ...regression,
      predictions: [
        { label: 'x', probabilities: { x: 1 } },
        { label: 'y', probabilities: { x: 0, y: 1 } },
      ],
    };
    expect(
      decodePredictionLogColumns(encodePredictionLogColumns(classes))?.map((e) => e.prediction),
    ).toEqual(classes.predictions);
  });

  it('keeps every feature of rows whose keys differ, a missing one as null', () => {
    const input: PredictionLogColumnsInput = {
      ...base,
      ids: ['1', '2', '3'],
      rows: [{ a: 1 }, { a: 2, b: 'late' }, { c: 3 }],
      predictions: [{ value: 1 }, { value: 2 }, { value: 3 }],
    };
    const entries = decodePredictionLogColumns(encodePredictionLogColumns(input));
    expect(entries?.map((e) => e.features)).toEqual([
      { a: 1, b: null, c: null },
      { a: 2, b: 'late', c: null },
      { a: null, b: null, c: 3 },
    ]);
  });

  it('reads every row by name when rows list the same keys in another order, or fewer', () => {
    const input: PredictionLogColumnsInput = {
      ...base,
      ids: ['1', '2', '3', '4'],
      rows: [{ a: 1, b: 2 }, { b: 4, a: 3 }, { a: 5 }, { a: 6, b: 'x' }],
      predictions: [{ value: 1 }, { value: 2 }, { value: 3 }, { value: 4 }],
    };
    const entries = decodePredictionLogColumns(encodePredictionLogColumns(input));
    expect(entries?.map((e) => e.features)).toEqual([
      { a: 1, b: 2 },
      { a: 3, b: 4 },
      { a: 5, b: null },
      { a: 6, b: 'x' },
    ]);
  });

  it('logs a column of numbers with one string among them as values, row for row', () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ n: i / 3, s: i === 37 ? 'odd' : i }));
    const input: PredictionLogColumnsInput = {
      ...base,
      ids: rows.map((_, i) => String(i)),
      rows,
      predictions: rows.map((_, i) => ({ value: i })),
    };
    const entries = decodePredictionLogColumns(encodePredictionLogColumns(input));
    expect(entries?.map((e) => e.features)).toEqual(rows);
  });

  it('encodes rows given by column as the same message as the rows themselves', () => {
    const input = classification();
    const names = ['x', 'colour', 'ok'];
    const cells = names.map((n) => input.rows.map((r) => r[n] ?? null));
    const { rows: _rows, ...rest } = input;
    expect(encodePredictionLogColumns({ ...rest, columns: { names, cells } })).toEqual(
      encodePredictionLogColumns(input),
    );
    // A column of numbers may come as a Float64Array.
    const numbers = [new Float64Array(cells[0] as number[]), ...cells.slice(1)];
    expect(encodePredictionLogColumns({ ...rest, columns: { names, cells: numbers } })).toEqual(
      encodePredictionLogColumns(input),
    );
    expect(() => encodePredictionLogColumns(rest)).toThrow(/rows or columns/);
  });

  it('writes a redacted feature as the redaction marker, without its values', () => {
    const input = { ...classification(), redact: new Set(['colour']) };
    const bytes = encodePredictionLogColumns(input);
    expect(new TextDecoder().decode(bytes)).not.toContain('blue');
    const entries = decodePredictionLogColumns(bytes);
    expect(entries?.map((e) => e.features.colour)).toEqual(Array(3).fill(PREDICTION_LOG_REDACTED));
    expect(entries?.map((e) => e.features.x)).toEqual(input.rows.map((r) => r.x));
  });

  it('refuses to encode rows without one id and one prediction each', () => {
    const input = classification();
    expect(() => encodePredictionLogColumns({ ...input, ids: ['a'] })).toThrow(/as many ids/);
    expect(() =>
      encodePredictionLogColumns({ ...input, rows: [], ids: [], predictions: [] }),
    ).toThrow();
  });

  it('decodes damaged or foreign bytes to null, never to wrong rows', () => {
    const good = encodePredictionLogColumns(classification());
    const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
    const bad: Uint8Array[] = [
      new Uint8Array(0),
      good.subarray(0, 7),
      good.subarray(0, good.length - 1),
      bytesOf('{"model":"churn"}'),
    ];
    const wrongCount = good.slice();
    view(wrongCount).setUint32(0, view(good).getUint32(0, true) - 1, true);
    bad.push(wrongCount);
    // A header whose columns disagree with the data: one f64 column dropped from it.
    const doubles = view(good).getUint32(0, true);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(8 + doubles * 8))) as {
      columns: unknown[];
      ids: string[];
    };
    for (const edit of [
      { ...header, columns: header.columns.slice(1) },
      { ...header, ids: ['a', 'b'] },
      { ...header, ids: [] },
      { ...header, model: '../etc' },
    ]) {
      const h = bytesOf(JSON.stringify(edit));
      const out = new Uint8Array(8 + doubles * 8 + h.length);
      out.set(good.subarray(0, 8 + doubles * 8));
      view(out).setUint32(4, h.length, true);
      out.set(h, 8 + doubles * 8);
      bad.push(out);
    }
    for (const bytes of bad) expect(decodePredictionLogColumns(bytes)).toBeNull();
  });

  it('reads from unaligned buffers, as Redis clients hand them out', () => {
    const good = encodePredictionLogColumns(classification());
    const shifted = new Uint8Array(good.length + 3);
    shifted.set(good, 3);
    expect(decodePredictionLogColumns(shifted.subarray(3))).toEqual(
      decodePredictionLogColumns(good),
    );
  });
});

describe('parsePredictionLogMessage', () => {
  const input = classification();
  const entry = { ...base, id: 'a', features: input.rows[0]!, prediction: input.predictions[0]! };

  it('reads all three formats, from string or byte fields', () => {
    const columns = encodePredictionLogColumns(input);
    expect(parsePredictionLogMessage([bytesOf('columns'), columns])).toHaveLength(3);
    const batch = JSON.stringify({
      ...base,
      rows: [{ id: 'a', features: entry.features, prediction: entry.prediction }],
    });
    expect(parsePredictionLogMessage(['batch', batch])).toEqual([entry]);
    expect(parsePredictionLogMessage([bytesOf('batch'), bytesOf(batch)])).toEqual([entry]);
    expect(parsePredictionLogMessage([bytesOf('entry'), bytesOf(JSON.stringify(entry))])).toEqual([
      entry,
    ]);
  });

  it('says null for a columns message read as text, junk and unknown fields', () => {
    expect(parsePredictionLogMessage([PREDICTION_LOG_FIELD.columns, 'text'])).toBeNull();
    expect(parsePredictionLogMessage(['entry', '{not json'])).toBeNull();
    expect(parsePredictionLogMessage(['other', 'x'])).toBeNull();
  });
});
