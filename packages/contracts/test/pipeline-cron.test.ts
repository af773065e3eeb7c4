import { describe, expect, it } from 'vitest';
import { cronIssue, definePipeline, isTimeZone, parsePipelineText } from '../src';

describe('cronIssue', () => {
  it('accepts what BullMQ schedules: 5 fields, 6 with seconds, names, steps, lists, L and #', () => {
    for (const ok of [
      '0 3 * * *',
      '* * * * * *',
      '*/15 9-17 * * mon-fri',
      '0 0 1,15 jan,jul *',
      '0 0 L * *',
      '0 0 * * 5#2',
      '30 2 ? * SUN',
    ]) {
      expect(cronIssue(ok), ok).toBeNull();
    }
  });

  it('names the field and what is wrong', () => {
    expect(cronIssue('61 * * * *')).toBe('minute field: must be 0-59, got "61"');
    expect(cronIssue('* 24 * * *')).toBe('hour field: must be 0-23, got "24"');
    expect(cronIssue('* * * 13 *')).toBe('month field: must be 1-12, got "13"');
    expect(cronIssue('* * * * funday')).toBe('day of week field: "funday" is not a day of week');
    expect(cronIssue('*/0 * * * *')).toBe('minute field: bad step "/0"');
    expect(cronIssue('5-1 * * * *')).toBe('minute field: range "5-1" goes backwards');
    expect(cronIssue('* * *')).toMatch(/must have 5 fields .* got 3/);
    expect(cronIssue('1,,2 * * * *')).toBe('minute field: empty list item in "1,,2"');
  });

  it('knows time zones', () => {
    expect(isTimeZone('Europe/Paris')).toBe(true);
    expect(isTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('the on section', () => {
  const steps = [{ id: 'a', uses: 'custom/echo' as const }];

  it('parses from YAML with defaults filled in, and from TypeScript', () => {
    const def = parsePipelineText(`
name: nightly
parameters: { v: { type: integer, default: 0 } }
on:
  schedule: [{ cron: '0 3 * * *' }]
  dataset: [{ name: iris, versionParam: v }]
steps: [{ id: a, uses: custom/echo }]
`);
    expect(def.on).toEqual({
      schedule: [{ cron: '0 3 * * *', params: {} }],
      dataset: [{ name: 'iris', versionParam: 'v', params: {} }],
    });
    expect(definePipeline({ name: 'x', steps, on: { schedule: [{ every: 60_000 }] } }).on).toEqual({
      schedule: [{ every: 60_000, params: {} }],
    });
  });

  it('refuses params the pipeline would refuse, naming them', () => {
    expect(() =>
      definePipeline({
        name: 'x',
        parameters: { n: { type: 'integer', min: 1 } },
        steps,
        on: { schedule: [{ every: 5_000, params: { n: 0 } }], dataset: [{ name: 'iris' }] },
      }),
    ).toThrow('on.schedule.0.params.n: must be >= 1; on.dataset.0.params.n: required (no default)');
    expect(() =>
      definePipeline({
        name: 'x',
        parameters: { s: { type: 'string', default: 'a' } },
        steps,
        on: { dataset: [{ name: 'iris', versionParam: 's' }] },
      }),
    ).toThrow('on.dataset.0.versionParam: must name a declared integer parameter, got "s"');
  });
});
