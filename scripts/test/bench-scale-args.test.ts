import { describe, expect, it } from 'vitest';
import { parseScaleArgs } from '../bench/scale/args';

const FIGURES = ['alias-move', 'ingest', 'drift'];

describe('bench:scale arguments', () => {
  it('defaults to every figure, 1M rows, human output', () => {
    expect(parseScaleArgs([], FIGURES)).toEqual({ json: false, only: undefined, rows: 1_000_000 });
  });

  it('reads --json, --only and --rows (underscores allowed)', () => {
    expect(parseScaleArgs(['--json', '--only', 'ingest', '--rows', '250_000'], FIGURES)).toEqual({
      json: true,
      only: 'ingest',
      rows: 250_000,
    });
  });

  it('names the flag that is wrong', () => {
    expect(() => parseScaleArgs(['--only', 'nope'], FIGURES)).toThrow(
      /--only: unknown figure "nope"/,
    );
    expect(() => parseScaleArgs(['--only'], FIGURES)).toThrow(/--only: needs a value/);
    expect(() => parseScaleArgs(['--rows', '12.5'], FIGURES)).toThrow(/--rows: an integer/);
    expect(() => parseScaleArgs(['--rows', '10'], FIGURES)).toThrow(/--rows: an integer/);
    expect(() => parseScaleArgs(['--rows', '--json'], FIGURES)).toThrow(/--rows: needs a value/);
    expect(() => parseScaleArgs(['--fast'], FIGURES)).toThrow(/--fast: unknown flag/);
  });
});
