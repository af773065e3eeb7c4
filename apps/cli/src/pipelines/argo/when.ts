import {
  parseExpression,
  type JsonValue,
  type PipelineCondition,
  type PipelineDefinition,
} from '@mlops/contracts';
import { ARGO_OUTPUTS_PARAMETER } from './step-command';

/**
 * A step's `when` as an Argo expression tag (`{{= … }}`, expr-lang with Argo's `asFloat` and
 * `jsonpath`), evaluated by the controller before the task runs. Parameters reach it as strings
 * (converted by their declared type); a step's outputs are one JSON parameter read with
 * `jsonpath`, so numbers and booleans keep their types as in the BullMQ executor.
 */

/** A side of a condition Argo cannot express; the compiler refuses the definition. */
export class InexpressibleCondition extends Error {
  constructor(
    readonly path: (string | number)[],
    readonly reason: string,
  ) {
    super(`${path.join('.')}: cannot be expressed as an Argo condition (${reason})`);
  }
}

const WHOLE = /^\$\{\{\s*([^}]*?)\s*\}\}$/;
const OPS = { eq: '==', ne: '!=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** The Argo DAG task name of a step: Argo names allow no "_". */
export function argoName(stepId: string): string {
  return stepId.replaceAll('_', '-');
}

/** A JSON string literal is a valid expr string literal; braces escaped so `}}` cannot end the tag. */
function exprString(s: string): string {
  return JSON.stringify(s).replaceAll('{', '\\u007b').replaceAll('}', '\\u007d');
}

function jsonPath(keys: string[], path: (string | number)[]): string {
  return (
    '$' +
    keys
      .map((k) => {
        if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) return `.${k}`;
        if (/^[A-Za-z0-9_-]+$/.test(k)) return `['${k}']`;
        throw new InexpressibleCondition(path, `output key "${k}"`);
      })
      .join('')
  );
}

function side(def: PipelineDefinition, value: JsonValue, path: (string | number)[]): string {
  if (typeof value === 'string') {
    const whole = WHOLE.exec(value);
    if (!whole) {
      if (value.includes('${{'))
        throw new InexpressibleCondition(path, 'an expression inside text');
      return exprString(value);
    }
    const e = parseExpression(whole[1] ?? '');
    if (!e) throw new InexpressibleCondition(path, 'not an expression');
    if (e.kind === 'param') {
      const ref = `workflow.parameters[${exprString(e.name)}]`;
      const type = def.parameters[e.name]?.type;
      if (type === 'number' || type === 'integer') return `asFloat(${ref})`;
      if (type === 'boolean') return `(${ref} == "true")`;
      return ref;
    }
    const outputs = `tasks[${exprString(argoName(e.step))}].outputs.parameters.${ARGO_OUTPUTS_PARAMETER}`;
    return `jsonpath(${outputs}, ${exprString(jsonPath(e.path, path))})`;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null) return 'nil';
  throw new InexpressibleCondition(path, 'an array or object literal');
}

const num = (x: string) => (x.startsWith('asFloat(') ? x : `asFloat(${x})`);

function one(def: PipelineDefinition, c: PipelineCondition, path: (string | number)[]): string {
  const l = side(def, c.left, [...path, 'left']);
  const r = side(def, c.right, [...path, 'right']);
  // Ordering compares numbers, as the executor does (Number(left) op Number(right)).
  if (c.op !== 'eq' && c.op !== 'ne') return `${num(l)} ${OPS[c.op]} ${num(r)}`;
  return `${l} ${OPS[c.op]} ${r}`;
}

/** The task's `when`, or undefined when the step has no condition. Throws InexpressibleCondition. */
export function argoWhen(def: PipelineDefinition, stepIndex: number): string | undefined {
  const step = def.steps[stepIndex];
  if (!step?.when) return undefined;
  const base = ['steps', stepIndex, 'when'];
  const list = Array.isArray(step.when)
    ? step.when.map((c, i) => one(def, c, [...base, i]))
    : [one(def, step.when, base)];
  if (list.length === 0) return undefined;
  return `{{= ${list.map((x) => (list.length > 1 ? `(${x})` : x)).join(' && ')} }}`;
}
