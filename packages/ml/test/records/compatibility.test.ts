import { describe, expect, it } from 'vitest';
import type { Column, Signature } from '@mlops/contracts';
import { compareSignatures } from '../../src/records';

const V1: Column[] = [
  { name: 'x', type: 'numeric', nullable: false },
  { name: 'y', type: 'numeric', nullable: true },
  { name: 'color', type: 'categorical', nullable: false, categories: ['blue', 'red'] },
];
const output: Extract<Signature['output'], { task: 'classification' }> = {
  task: 'classification',
  target: 'cls',
  labels: ['n', 'p'],
};
const sig = (inputs: Column[], out = output): Signature => ({ inputs, output: out });
const against = { alias: 'champion', version: 1 };

/** kind feature effect, for one comparison with v1. */
function diff(inputs: Column[], out = output) {
  const report = compareSignatures(sig(inputs, out), sig(V1), against);
  return {
    breaking: report.breaking,
    changes: report.changes.map((c) => `${c.kind} ${c.feature} ${c.effect}`),
  };
}

describe('compareSignatures', () => {
  it('finds nothing between equal signatures', () => {
    expect(diff(V1)).toEqual({ breaking: false, changes: [] });
  });

  it('classifies each kind of change by what a v1 request would get', () => {
    const [x, y, color] = V1 as [Column, Column, Column];
    expect(diff([...V1, { name: 'z', type: 'numeric', nullable: true }])).toEqual({
      breaking: false,
      changes: ['added_optional z none'],
    });
    expect(diff([...V1, { name: 'z', type: 'boolean', nullable: false }])).toEqual({
      breaking: true,
      changes: ['added_required z refused'],
    });
    expect(diff([x, color])).toEqual({ breaking: false, changes: ['removed y none'] });
    expect(diff([x, { ...y, type: 'categorical' }, color])).toEqual({
      breaking: true,
      changes: ['retyped y refused'],
    });
    expect(diff([x, { ...y, nullable: false }, color])).toEqual({
      breaking: true,
      changes: ['nullability y refused'],
    });
    expect(diff([x, y, { ...color, categories: ['blue', 'green', 'red'] }])).toEqual({
      breaking: false,
      changes: ['category_added color none'],
    });
    expect(diff([x, y, { ...color, categories: ['blue'] }])).toEqual({
      breaking: true,
      changes: ['category_removed color refused'],
    });
    expect(diff(V1, { ...output, labels: ['n', 'p', 'q'] })).toEqual({
      breaking: true,
      changes: ['output cls answer_changed'],
    });
  });

  it('reads a rename as a removal (answered) and a required addition (refused)', () => {
    const renamed = V1.map((c) => (c.name === 'x' ? { ...c, name: 'x2' } : c));
    expect(diff(renamed)).toEqual({
      breaking: true,
      changes: ['removed x none', 'added_required x2 refused'],
    });
  });

  it('says nothing of categories when either side lists none', () => {
    const { categories: _c, ...open } = V1[2]!;
    expect(diff([V1[0]!, V1[1]!, open])).toEqual({ breaking: false, changes: [] });
  });
});
