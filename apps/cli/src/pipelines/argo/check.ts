import type { ArgoTemplate, ArgoWorkflow } from './types';

/**
 * What Argo's schema cannot say about a workflow: that names resolve. The entrypoint and every
 * task's template exist, `depends` names tasks of the same DAG without a cycle, each template
 * input is supplied, and every `{{…}}` reference in a container names something declared. Run
 * on every compiled workflow before it is written, and by the tests on broken ones.
 */
export interface ArgoIssue {
  path: string;
  message: string;
}

const REF = /\{\{(?!=)\s*([^}]*?)\s*\}\}/g;

export function checkArgoWorkflow(wf: ArgoWorkflow): ArgoIssue[] {
  const issues: ArgoIssue[] = [];
  const templates = new Map<string, ArgoTemplate>(wf.spec.templates.map((t) => [t.name, t]));
  const globals = new Set(wf.spec.arguments.parameters.map((p) => p.name));
  if (!templates.has(wf.spec.entrypoint)) {
    issues.push({ path: 'spec.entrypoint', message: `no template "${wf.spec.entrypoint}"` });
  }
  wf.spec.templates.forEach((t, ti) => {
    const at = `spec.templates.${ti}`;
    if (t.dag) checkDag(t, at, templates, issues);
    const inputs = new Set((t.inputs?.parameters ?? []).map((p) => p.name));
    (t.container?.args ?? []).forEach((arg, ai) => {
      for (const m of arg.matchAll(REF)) {
        const ref = m[1] ?? '';
        const [scope, kind, name] = ref.split('.');
        const known =
          (scope === 'inputs' && kind === 'parameters' && inputs.has(name ?? '')) ||
          (scope === 'workflow' && kind === 'parameters' && globals.has(name ?? '')) ||
          ref === 'workflow.uid' ||
          ref === 'workflow.name';
        if (!known) {
          issues.push({ path: `${at}.container.args.${ai}`, message: `unresolved {{${ref}}}` });
        }
      }
    });
  });
  return issues;
}

function checkDag(
  t: ArgoTemplate,
  at: string,
  templates: Map<string, ArgoTemplate>,
  issues: ArgoIssue[],
): void {
  const tasks = t.dag?.tasks ?? [];
  const names = new Set<string>();
  const deps = new Map<string, string[]>();
  tasks.forEach((task, i) => {
    if (names.has(task.name)) {
      issues.push({ path: `${at}.dag.tasks.${i}.name`, message: `duplicate task "${task.name}"` });
    }
    names.add(task.name);
    // `a.Succeeded && (b.Failed || c)`: the names are what precedes a `.Result` or stands alone.
    const refs = [
      ...(task.depends ?? '').matchAll(/([a-zA-Z0-9][-a-zA-Z0-9]*)(\.[A-Z][a-zA-Z]+)?/g),
    ];
    deps.set(
      task.name,
      refs.map((m) => m[1] ?? ''),
    );
  });
  tasks.forEach((task, i) => {
    const path = `${at}.dag.tasks.${i}`;
    const target = templates.get(task.template);
    if (!target)
      issues.push({ path: `${path}.template`, message: `no template "${task.template}"` });
    for (const d of deps.get(task.name) ?? []) {
      if (!names.has(d)) issues.push({ path: `${path}.depends`, message: `no task "${d}"` });
    }
    const given = new Set((task.arguments?.parameters ?? []).map((p) => p.name));
    for (const p of target?.inputs?.parameters ?? []) {
      if (p.value === undefined && !given.has(p.name)) {
        issues.push({ path: `${path}.arguments`, message: `input "${p.name}" is not given` });
      }
    }
    (task.arguments?.parameters ?? []).forEach((p, j) => {
      for (const m of (p.value ?? '').matchAll(REF)) {
        const [scope, name] = (m[1] ?? '').split('.');
        if (scope === 'tasks' && !(deps.get(task.name) ?? []).includes(name ?? '')) {
          issues.push({
            path: `${path}.arguments.parameters.${j}.value`,
            message: `reads task "${name}" without depending on it`,
          });
        }
      }
    });
  });
  const cycle = findCycle(deps);
  if (cycle)
    issues.push({ path: `${at}.dag`, message: `tasks form a cycle: ${cycle.join(' → ')}` });
}

function findCycle(deps: Map<string, string[]>): string[] | null {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (n: string): string[] | null => {
    if (state.get(n) === 'done' || !deps.has(n)) return null;
    if (state.get(n) === 'visiting') return [...stack.slice(stack.indexOf(n)), n];
    state.set(n, 'visiting');
    stack.push(n);
    for (const d of deps.get(n) ?? []) {
      const found = visit(d);
      if (found) return found;
    }
    stack.pop();
    state.set(n, 'done');
    return null;
  };
  for (const n of deps.keys()) {
    const found = visit(n);
    if (found) return found;
  }
  return null;
}
