import { describe, expect, it } from 'vitest';
import {
  definePipeline,
  nextSteps,
  parsePipelineText,
  pipelineDefinitionSchema,
  ref,
  resolvePipelineParameters,
  resolveValue,
  conditionsHold,
  stepDependencies,
  registryApi,
  type StepState,
} from '../src/index';

const yaml = `
name: demo
parameters:
  epochs: { type: integer, default: 5, min: 1 }
  minAccuracy: { type: number, default: 0.8 }
steps:
  - id: train
    uses: train
    with:
      epochs: \${{ params.epochs }}
      label: "e=\${{ params.epochs }}"
  - id: gate
    uses: gate
    with: { version: "\${{ steps.train.outputs.version }}" }
  - id: deploy
    uses: set-alias
    with: { version: "\${{ steps.train.outputs.version }}" }
    when:
      - { left: "\${{ steps.gate.outputs.passed }}", op: eq, right: true }
`;

function issues(def: unknown): string[] {
  const r = pipelineDefinitionSchema.safeParse(def);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('pipeline definitions', () => {
  it('reads YAML with defaults and infers dependencies from references', () => {
    const def = parsePipelineText(yaml);
    expect(def.steps.map((s) => s.id)).toEqual(['train', 'gate', 'deploy']);
    expect(def.steps[0]?.retries).toBe(0);
    expect(def.steps[0]?.cache).toBe(true);
    expect(stepDependencies(def.steps[2]!)).toEqual(expect.arrayContaining(['train', 'gate']));
  });

  it('the TypeScript form equals the YAML form', () => {
    const ts = definePipeline({
      name: 'demo',
      parameters: {
        epochs: { type: 'integer', default: 5, min: 1 },
        minAccuracy: { type: 'number', default: 0.8 },
      },
      steps: [
        {
          id: 'train',
          uses: 'train',
          with: { epochs: ref.param('epochs'), label: 'e=${{ params.epochs }}' },
        },
        { id: 'gate', uses: 'gate', with: { version: ref.step('train', 'version') } },
        {
          id: 'deploy',
          uses: 'set-alias',
          with: { version: ref.step('train', 'version') },
          when: [{ left: ref.step('gate', 'passed'), op: 'eq', right: true }],
        },
      ],
    });
    expect(ts).toEqual(parsePipelineText(yaml));
  });

  it('refuses cycles, unknown references and duplicate ids, naming the field', () => {
    const step = (id: string, w: Record<string, unknown> = {}, extra = {}) => ({
      id,
      uses: 'train',
      with: w,
      ...extra,
    });
    expect(
      issues({
        name: 'p',
        steps: [
          step('a', { x: '${{ steps.b.outputs.v }}' }),
          step('b', { y: '${{ steps.a.outputs.v }}' }),
        ],
      }),
    ).toEqual(['steps.0.id: steps form a cycle: a → b → a']);
    expect(issues({ name: 'p', steps: [step('a', { x: '${{ steps.zz.outputs.v }}' })] })).toEqual([
      'steps.0.with.x: unknown step "zz"',
    ]);
    expect(issues({ name: 'p', steps: [step('a', { x: '${{ params.nope }}' })] })).toEqual([
      'steps.0.with.x: unknown parameter "nope"',
    ]);
    expect(issues({ name: 'p', steps: [step('a'), step('a')] })).toEqual([
      'steps.1.id: duplicate step id "a"',
    ]);
    expect(issues({ name: 'p', steps: [step('a', {}, { dependsOn: ['q'] })] })).toEqual([
      'steps.0.dependsOn.0: unknown step "q"',
    ]);
    expect(issues({ name: 'p', steps: [{ id: 'a', uses: 'shell' }] })[0]).toMatch(
      /^steps\.0\.uses: /,
    );
    expect(issues({ name: 'p', steps: [step('a', { x: '${{ env.HOME }}' })] })[0]).toMatch(
      /^steps\.0\.with\.x: bad expression/,
    );
    expect(() => parsePipelineText('name: p\nsteps: []\n')).toThrow(/steps: a pipeline needs/);
  });

  it('checks and coerces parameters, naming the bad one', () => {
    const def = parsePipelineText(yaml);
    expect(resolvePipelineParameters(def, { epochs: '7' })).toEqual({
      ok: true,
      value: { epochs: 7, minAccuracy: 0.8 },
    });
    expect(resolvePipelineParameters(def, { epochs: 0, typo: 1 })).toEqual({
      ok: false,
      issues: ['parameters.typo: unknown parameter', 'parameters.epochs: must be >= 1'],
    });
    expect(resolvePipelineParameters(def, { epochs: 1.5 })).toMatchObject({ ok: false });
  });

  it('resolves expressions with their types and evaluates conditions', () => {
    const def = parsePipelineText(yaml);
    const scope = {
      params: { epochs: 5 },
      outputs: { train: { version: 3 }, gate: { passed: false } },
    };
    expect(resolveValue(def.steps[0]!.with, scope)).toEqual({ epochs: 5, label: 'e=5' });
    expect(resolveValue(def.steps[1]!.with, scope)).toEqual({ version: 3 });
    expect(conditionsHold(def.steps[2]!, scope)).toBe(false);
    expect(
      conditionsHold(def.steps[2]!, {
        ...scope,
        outputs: { ...scope.outputs, gate: { passed: true } },
      }),
    ).toBe(true);
    expect(() => resolveValue('${{ steps.train.outputs.nope }}', scope)).toThrow(
      /not among its outputs/,
    );
  });

  it('orders steps: ready when dependencies succeeded, skipped below a skip or failure', () => {
    const def = parsePipelineText(yaml);
    const st = (s: Record<string, StepState>) => new Map(Object.entries(s));
    expect(nextSteps(def, st({ train: 'queued', gate: 'queued', deploy: 'queued' }))).toEqual({
      run: ['train'],
      skip: [],
    });
    expect(
      nextSteps(def, st({ train: 'succeeded', gate: 'queued', deploy: 'queued' })).run,
    ).toEqual(['gate']);
    expect(
      nextSteps(def, st({ train: 'failed', gate: 'queued', deploy: 'queued' })).skip.map(
        (s) => s.id,
      ),
    ).toEqual(['gate', 'deploy']);
  });

  it('wires the procedures into the registry API table, mutations strict', () => {
    expect(Object.keys(registryApi.pipelines)).toEqual(
      expect.arrayContaining([
        'register',
        'list',
        'get',
        'run',
        'runs',
        'getRun',
        'cancel',
        'claimStep',
      ]),
    );
    expect(registryApi.pipelines.run.input.safeParse({ name: 'demo', extra: 1 }).success).toBe(
      false,
    );
  });
});
