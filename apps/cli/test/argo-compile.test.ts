import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AppError, parsePipelineText, type PipelineDefinition } from '@mlops/contracts';
import { checkArgoWorkflow } from '../src/pipelines/argo/check';
import { ARGO_DEFAULTS, compileArgoWorkflow } from '../src/pipelines/argo/compile';
import type { ArgoWorkflow } from '../src/pipelines/argo/types';
import { argoWorkflowValidator } from './argo-schema';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'argo');
const loop = (): PipelineDefinition =>
  parsePipelineText(fs.readFileSync(path.join(FIXTURE, 'iris-loop.yaml'), 'utf8'));
const strict = argoWorkflowValidator(true);
const upstream = argoWorkflowValidator(false);

const dag = (wf: ArgoWorkflow) => wf.spec.templates.find((t) => t.dag)!.dag!.tasks;
const template = (wf: ArgoWorkflow, name: string) =>
  wf.spec.templates.find((t) => t.name === name)!;
const decodeSpec = (args: string[]) =>
  JSON.parse(Buffer.from(args[args.indexOf('--spec') + 1]!, 'base64').toString('utf8')) as {
    step: { id: string; with: Record<string, unknown> };
    parameters: Record<string, unknown>;
    definitionSha256: string;
  };

describe('compileArgoWorkflow', () => {
  it("writes a workflow that Argo's schema accepts and whose names resolve", () => {
    const wf = compileArgoWorkflow(loop());
    expect(upstream(wf)).toEqual([]);
    expect(strict(wf)).toEqual([]);
    expect(checkArgoWorkflow(wf)).toEqual([]);
    expect(wf.metadata.generateName).toBe('iris-loop-');
    expect(wf.spec.entrypoint).toBe('pipeline');
  });

  it('carries parameters with their defaults as strings, and required ones without', () => {
    const params = compileArgoWorkflow(loop()).spec.arguments.parameters;
    expect(params).toEqual([
      { name: 'epochs', value: '30' },
      { name: 'minAccuracy', value: '0.8' },
      { name: 'alias', value: 'champion', enum: ['champion', 'challenger'] },
      { name: 'promote', value: 'true' },
      { name: 'source' },
    ]);
  });

  it('makes one task and one container template per step, with the DAG of its references', () => {
    const wf = compileArgoWorkflow(loop());
    const tasks = dag(wf);
    expect(tasks.map((t) => t.name)).toEqual([
      'ingest',
      'validate',
      'train-model',
      'evaluate',
      'gate',
      'promote',
    ]);
    expect(tasks[0]!.depends).toBeUndefined();
    expect(tasks[2]!.depends).toBe('ingest.Succeeded && validate.Succeeded');
    expect(tasks[5]!.depends).toBe('evaluate.Succeeded && gate.Succeeded && train-model.Succeeded');
    expect(tasks[3]!.arguments!.parameters).toEqual([
      { name: 'upstream-train-model', value: '{{tasks.train-model.outputs.parameters.outputs}}' },
    ]);
    for (const t of tasks) {
      const c = template(wf, t.template).container!;
      expect(c.image).toBe('mlops/trainer:dev');
      expect(c.command).toEqual([
        'node',
        '--enable-source-maps',
        'apps/trainer/dist/pipeline-step.js',
      ]);
      expect(c.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
      });
      expect(c.envFrom).toEqual([
        { configMapRef: { name: 'mlops-config' } },
        { secretRef: { name: 'mlops-token-trainer' } },
      ]);
    }
    expect(wf.spec.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
  });

  it('passes the step, its parameters and upstream outputs to the step command', () => {
    const wf = compileArgoWorkflow(loop());
    const args = template(wf, 'step-train-model').container!.args;
    const spec = decodeSpec(args);
    expect(spec.step.id).toBe('train_model');
    expect(spec.step.with.epochs).toBe('${{ params.epochs }}');
    expect(spec.parameters).toEqual({ epochs: { type: 'integer', default: 30, min: 1 } });
    expect(spec.definitionSha256).toBe(wf.metadata.annotations['mlops.dev/pipeline-sha256']);
    expect(args).toContain('epochs={{workflow.parameters.epochs}}');
    expect(args).toContain('ingest={{inputs.parameters.upstream-ingest}}');
    expect(args).not.toContain('--no-cache');
    expect(template(wf, 'step-train-model').retryStrategy).toEqual({
      limit: '2',
      retryPolicy: 'Always',
      backoff: { duration: '1s', factor: '2' },
    });
    expect(template(wf, 'step-ingest').retryStrategy).toBeUndefined();
    // cache: false, and set-alias whatever it says.
    expect(template(wf, 'step-gate').container!.args).toContain('--no-cache');
    expect(template(wf, 'step-promote').container!.args).toContain('--no-cache');
  });

  it('turns conditions into one Argo expression with typed sides', () => {
    const when = dag(compileArgoWorkflow(loop()))[5]!.when!;
    expect(when).toBe(
      '{{= (jsonpath(tasks["gate"].outputs.parameters.outputs, "$.passed") == true)' +
        ' && (asFloat(jsonpath(tasks["evaluate"].outputs.parameters.outputs, "$.metrics.accuracy")) >= asFloat(workflow.parameters["minAccuracy"]))' +
        ' && ((workflow.parameters["promote"] == "true") == true) }}',
    );
  });

  it('uses the image and secret it is given', () => {
    const wf = compileArgoWorkflow(loop(), {
      ...ARGO_DEFAULTS,
      image: 'registry.example/mlops/trainer:1.2',
      tokenSecret: 'tok',
    });
    expect(template(wf, 'step-ingest').container!.image).toBe('registry.example/mlops/trainer:1.2');
    expect(template(wf, 'step-ingest').container!.envFrom[1]).toEqual({
      secretRef: { name: 'tok' },
    });
    expect(strict(wf)).toEqual([]);
  });

  it('refuses a condition Argo cannot express, naming the field', () => {
    const def = loop();
    def.steps[5]!.when = { left: 'v${{ params.alias }}', op: 'eq', right: 'vchampion' };
    expect(() => compileArgoWorkflow(def)).toThrow(
      /steps\.5\.when\.left: cannot be expressed .*inside text/,
    );
    def.steps[5]!.when = { left: '${{ params.alias }}', op: 'eq', right: ['a'] };
    expect(() => compileArgoWorkflow(def)).toThrow(AppError);
    expect(() => compileArgoWorkflow(def)).toThrow(/steps\.5\.when\.right: .*array or object/);
  });

  it('refuses two step ids that are one Argo name', () => {
    const def = loop();
    def.steps.push({ ...def.steps[0]!, id: 'train-model' });
    expect(() => compileArgoWorkflow(def)).toThrow(/steps\.6\.id: "train-model" and "train_model"/);
  });
});

describe('the checks fail on broken workflows', () => {
  const broken = (edit: (wf: ArgoWorkflow) => void) => {
    const wf = structuredClone(compileArgoWorkflow(loop()));
    edit(wf);
    return wf;
  };

  it('a task depending on a missing task', () => {
    const wf = broken((w) => (dag(w)[1]!.depends = 'ingest.Succeeded && nowhere.Succeeded'));
    expect(checkArgoWorkflow(wf)).toEqual([
      { path: 'spec.templates.0.dag.tasks.1.depends', message: 'no task "nowhere"' },
    ]);
  });

  it('a cycle, a missing template, an input not given, an unresolved reference', () => {
    const wf = broken((w) => {
      dag(w)[0]!.depends = 'promote.Succeeded';
      dag(w)[1]!.template = 'step-nothing';
      delete dag(w)[3]!.arguments;
      template(w, 'step-ingest').container!.args.push('{{workflow.parameters.nope}}');
    });
    const messages = checkArgoWorkflow(wf).map((i) => i.message);
    expect(messages).toContain('no template "step-nothing"');
    expect(messages).toContain('input "upstream-train-model" is not given');
    expect(messages).toContain('unresolved {{workflow.parameters.nope}}');
    expect(messages.some((m) => m.startsWith('tasks form a cycle: '))).toBe(true);
  });

  it('a bad field type fails the upstream schema', () => {
    const wf = broken((w) => {
      (template(w, 'step-train-model').retryStrategy as { limit: unknown }).limit = 2;
      (template(w, 'step-ingest').container as { args: unknown }).args = '--spec x';
    });
    expect(upstream(wf)).toEqual([
      '.spec.templates[1].container.args should be array',
      '.spec.templates[3].retryStrategy.limit should be string',
    ]);
  });

  it('a misspelled field fails the strict schema only', () => {
    const wf = broken((w) => {
      (dag(w)[1] as unknown as Record<string, unknown>).dependss = 'ingest';
    });
    expect(upstream(wf)).toEqual([]);
    expect(strict(wf)).toEqual([
      '.spec.templates[0].dag.tasks[1] should NOT have additional properties',
    ]);
  });
});
