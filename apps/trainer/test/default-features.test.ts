import { describe, expect, it } from 'vitest';
import type { DatasetVersion } from '@mlops/contracts';
import { defaultFeatures } from '../src/train/default-features';
import { spec } from './data';

const dataset: Pick<DatasetVersion, 'schema' | 'profile'> = {
  schema: {
    columns: [
      { name: 'day', type: 'categorical', nullable: false },
      { name: 'x', type: 'numeric', nullable: true },
      { name: 'y', type: 'categorical', nullable: false },
    ],
  },
  profile: {
    rowCount: 0,
    columns: [],
    inference: {
      source: 'inferred',
      columns: [
        { name: 'day', type: 'categorical', reason: 'dates', kind: 'date', excluded: 'dates' },
        { name: 'x', type: 'numeric', reason: 'numbers' },
        { name: 'y', type: 'categorical', reason: 'labels' },
      ],
    },
  },
};

/** Records what the run's log gets. */
function recorder() {
  const lines: Array<{ fields: unknown; message: string }> = [];
  return {
    lines,
    info: (fields: unknown, message: string) => lines.push({ fields, message }),
  } as unknown as { lines: typeof lines; info: () => void };
}

describe('default features', () => {
  it('skip what the dataset excludes, and the log says why', () => {
    const log = recorder();
    const run = spec({ task: 'classification', target: 'y' });
    expect(defaultFeatures(run, dataset, log, 'run-1')).toEqual({
      features: ['x'],
      skipped: { day: 'dates' },
    });
    expect(log.lines).toEqual([
      {
        fields: { runId: 'run-1', skipped: { day: 'dates' } },
        message: 'default features skip columns excluded by inference',
      },
    ]);
  });

  it('are not consulted when spec.features lists the columns', () => {
    const log = recorder();
    const run = spec({ task: 'classification', target: 'y', features: ['day', 'x'] });
    expect(defaultFeatures(run, dataset, log, 'run-1').features).toEqual(['day', 'x']);
    expect(log.lines).toEqual([]);
  });

  it('name the exclusions when nothing is left to train on', () => {
    const only = {
      schema: { columns: [dataset.schema.columns[0]!, dataset.schema.columns[2]!] },
      profile: dataset.profile,
    };
    expect(() =>
      defaultFeatures(spec({ task: 'classification', target: 'y' }), only, recorder(), 'r'),
    ).toThrow(/"day": dates.*spec\.features/);
  });
});
