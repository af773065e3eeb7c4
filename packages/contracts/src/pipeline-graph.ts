import type { JsonValue, PipelineCondition, PipelineDefinition } from './pipeline';

/**
 * The graph side of a pipeline definition, pure: expressions, dependencies, cycle check, which
 * steps are ready, and resolving a step's inputs once its dependencies produced outputs. Shared
 * by the registry (validation, first steps) and the worker (each next step).
 */

const EXPR = /\$\{\{\s*([^}]*?)\s*\}\}/g;
const WHOLE = /^\$\{\{\s*([^}]*?)\s*\}\}$/;

export type PipelineExpression =
  { kind: 'param'; name: string } | { kind: 'step'; step: string; path: string[] };

/** `params.x` or `steps.<id>.outputs.<key>[.<key>...]`; null when it is neither. */
export function parseExpression(text: string): PipelineExpression | null {
  const parts = text.split('.');
  if (parts.length === 2 && parts[0] === 'params' && parts[1]) {
    return { kind: 'param', name: parts[1] };
  }
  if (parts.length >= 4 && parts[0] === 'steps' && parts[2] === 'outputs' && parts[1]) {
    const path = parts.slice(3);
    if (path.every((p) => p.length > 0)) return { kind: 'step', step: parts[1], path };
  }
  return null;
}

/** Every expression in a value, with the path of the string that holds it. */
export function expressionsIn(
  value: unknown,
  path: (string | number)[] = [],
): { path: (string | number)[]; text: string }[] {
  if (typeof value === 'string') {
    return [...value.matchAll(EXPR)].map((m) => ({ path, text: m[1] ?? '' }));
  }
  if (Array.isArray(value)) return value.flatMap((v, i) => expressionsIn(v, [...path, i]));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => expressionsIn(v, [...path, k]));
  }
  return [];
}

type StepLike = PipelineDefinition['steps'][number];

function conditions(step: StepLike): PipelineCondition[] {
  if (!step.when) return [];
  return Array.isArray(step.when) ? step.when : [step.when];
}

/** The steps a step waits for: those its inputs and conditions reference, and `dependsOn`. */
export function stepDependencies(step: StepLike): string[] {
  const deps = new Set(step.dependsOn ?? []);
  for (const { text } of [...expressionsIn(step.with), ...expressionsIn(conditions(step))]) {
    const e = parseExpression(text);
    if (e?.kind === 'step') deps.add(e.step);
  }
  return [...deps];
}

export interface GraphIssue {
  path: (string | number)[];
  message: string;
}

/** Duplicate ids, unknown parameters and steps, malformed expressions, cycles. */
export function checkPipelineGraph(def: PipelineDefinition): GraphIssue[] {
  const issues: GraphIssue[] = [];
  const index = new Map<string, number>();
  def.steps.forEach((s, i) => {
    if (index.has(s.id)) {
      issues.push({ path: ['steps', i, 'id'], message: `duplicate step id "${s.id}"` });
    } else index.set(s.id, i);
  });
  def.steps.forEach((s, i) => {
    const refs = [
      ...expressionsIn(s.with, ['steps', i, 'with']),
      ...expressionsIn(s.when ?? [], ['steps', i, 'when']),
    ];
    for (const { path, text } of refs) {
      const e = parseExpression(text);
      if (!e) {
        issues.push({
          path,
          message: `bad expression "\${{ ${text} }}": use params.<name> or steps.<id>.outputs.<key>`,
        });
      } else if (e.kind === 'param' && !Object.hasOwn(def.parameters, e.name)) {
        issues.push({ path, message: `unknown parameter "${e.name}"` });
      } else if (e.kind === 'step' && !index.has(e.step)) {
        issues.push({ path, message: `unknown step "${e.step}"` });
      } else if (e.kind === 'step' && e.step === s.id) {
        issues.push({ path, message: `step "${s.id}" references its own outputs` });
      }
    }
    (s.dependsOn ?? []).forEach((d, j) => {
      if (!index.has(d)) {
        issues.push({ path: ['steps', i, 'dependsOn', j], message: `unknown step "${d}"` });
      }
    });
  });
  if (issues.length === 0) {
    const cycle = findCycle(def);
    if (cycle) {
      issues.push({
        path: ['steps', index.get(cycle[0] ?? '') ?? 0, 'id'],
        message: `steps form a cycle: ${cycle.join(' → ')}`,
      });
    }
  }
  return issues;
}

/** The first cycle found, as ids with the first repeated at the end; null for a DAG. */
function findCycle(def: PipelineDefinition): string[] | null {
  const deps = new Map(def.steps.map((s) => [s.id, stepDependencies(s)]));
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (id: string): string[] | null => {
    if (state.get(id) === 'done') return null;
    if (state.get(id) === 'visiting') return [...stack.slice(stack.indexOf(id)), id];
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of deps.get(id) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state.set(id, 'done');
    return null;
  };
  for (const s of def.steps) {
    const found = visit(s.id);
    if (found) return found;
  }
  return null;
}

export type StepState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'skipped';

/**
 * What to do next with each queued step, given the other steps' statuses: `run` when every
 * dependency succeeded, `skip` when one was skipped, failed or cancelled (the whole chain below
 * a false `when` is skipped). Steps still waiting are not listed.
 */
export function nextSteps(
  def: PipelineDefinition,
  status: ReadonlyMap<string, StepState>,
): { run: string[]; skip: { id: string; because: string }[] } {
  const run: string[] = [];
  const skip: { id: string; because: string }[] = [];
  for (const s of def.steps) {
    if (status.get(s.id) !== 'queued') continue;
    const deps = stepDependencies(s);
    const blocked = deps.find((d) => {
      const st = status.get(d);
      return st === 'skipped' || st === 'failed' || st === 'cancelled';
    });
    if (blocked) skip.push({ id: s.id, because: `${blocked} ${status.get(blocked)}` });
    else if (deps.every((d) => status.get(d) === 'succeeded')) run.push(s.id);
  }
  return { run, skip };
}

export interface ResolveScope {
  params: Record<string, JsonValue>;
  outputs: Record<string, Record<string, JsonValue> | null | undefined>;
}

function lookup(e: PipelineExpression, scope: ResolveScope): JsonValue {
  if (e.kind === 'param') {
    const v = scope.params[e.name];
    if (v === undefined) throw new Error(`parameter "${e.name}" has no value`);
    return v;
  }
  let v: JsonValue | undefined = scope.outputs[e.step] ?? undefined;
  for (const key of e.path) {
    v = v && typeof v === 'object' && !Array.isArray(v) ? v[key] : undefined;
  }
  if (v === undefined) {
    throw new Error(`steps.${e.step}.outputs.${e.path.join('.')} is not among its outputs`);
  }
  return v;
}

/** A value with its expressions replaced; throws naming an expression that has no value. */
export function resolveValue(value: JsonValue, scope: ResolveScope): JsonValue {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    const wholeExpr = whole && parseExpression(whole[1] ?? '');
    if (wholeExpr) return lookup(wholeExpr, scope);
    return value.replace(EXPR, (_, text: string) => {
      const e = parseExpression(text);
      if (!e) throw new Error(`bad expression "${text}"`);
      const v = lookup(e, scope);
      return typeof v === 'string' ? v : JSON.stringify(v);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, scope));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveValue(v, scope)]));
  }
  return value;
}

/** True when every condition holds (numbers compare as numbers, the rest by equality). */
export function conditionsHold(step: StepLike, scope: ResolveScope): boolean {
  return conditions(step).every((c) => {
    const l = resolveValue(c.left, scope);
    const r = resolveValue(c.right, scope);
    if (c.op === 'eq') return JSON.stringify(l) === JSON.stringify(r);
    if (c.op === 'ne') return JSON.stringify(l) !== JSON.stringify(r);
    const [a, b] = [Number(l), Number(r)];
    if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
    if (c.op === 'gt') return a > b;
    if (c.op === 'gte') return a >= b;
    if (c.op === 'lt') return a < b;
    return a <= b;
  });
}
