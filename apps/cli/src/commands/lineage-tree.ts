import type { LineageEdge, LineageGraph, LineageNode, LineageRelation } from '@mlops/contracts';

/** How an edge reads from the node printed above it: back (its source) or forward (its use). */
const WORDS: Record<LineageRelation, { back: string; forward: string }> = {
  trained: { back: 'trained on', forward: 'trained' },
  registered: { back: 'from', forward: 'registered' },
  'transfer-base': { back: 'transfer base', forward: 'base of' },
  'sweep-trial': { back: 'trial of', forward: 'trial' },
  alias: { back: 'alias of', forward: 'alias' },
  'moved-to': { back: 'moved to', forward: 'moved to it' },
  'moved-from': { back: 'moved from', forward: 'moved away' },
  evaluated: { back: 'evaluated', forward: 'evaluated' },
  'evaluated-on': { back: 'evaluated on', forward: 'evaluated on it' },
  produced: { back: 'made by', forward: 'produced' },
};
/** Kinds a pipeline step may produce: for them, no producer means "made outside a pipeline". */
const PRODUCIBLE = new Set(['dataset-version', 'training-run', 'model-version', 'alias-move']);
const SHOWN = ['status', 'rows', 'actor', 'reason', 'gate'];

function facts(n: LineageNode): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(n.attrs)) {
    if (v === null || v === '') continue;
    if (SHOWN.includes(k)) parts.push(k === 'reason' ? JSON.stringify(v) : `${k} ${String(v)}`);
    else if (k.startsWith('metric.')) parts.push(`${k.slice(7)}=${String(v)}`);
    else if (k === 'servedByDefault' && v === true) parts.push('serving follows it by default');
  }
  if (n.at) parts.push(n.at.slice(0, 19).replace('T', ' '));
  return parts.length > 0 ? ` [${parts.join(', ')}]` : '';
}

function producer(n: LineageNode): string {
  const p = n.producedBy;
  if (p) return `  ← pipeline ${p.pipeline} run ${p.pipelineRunId} step ${p.stepId} (${p.trigger})`;
  return PRODUCIBLE.has(n.kind) ? '  ← not by a pipeline' : '';
}

export function nodeLine(n: LineageNode): string {
  return `${n.label}${facts(n)}${producer(n)}`;
}

/** One direction of the graph as an indented tree; a node met twice is printed once. */
function tree(g: LineageGraph, dir: 'back' | 'forward'): string[] {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const next = new Map<string, LineageEdge[]>();
  for (const e of g.edges) {
    const at = dir === 'back' ? e.to : e.from;
    next.set(at, [...(next.get(at) ?? []), e]);
  }
  const lines: string[] = [];
  const seen = new Set([g.root]);
  const visit = (id: string, prefix: string) => {
    const children = next.get(id) ?? [];
    children.forEach((e, i) => {
      const childId = dir === 'back' ? e.from : e.to;
      const child = byId.get(childId);
      if (!child) return;
      const last = i === children.length - 1;
      const again = seen.has(childId);
      seen.add(childId);
      lines.push(
        `${prefix}${last ? '└─ ' : '├─ '}${WORDS[e.relation][dir]}: ${again ? `${child.label} (above)` : nodeLine(child)}`,
      );
      if (!again) visit(childId, prefix + (last ? '   ' : '│  '));
    });
  };
  visit(g.root, '');
  return lines.length > 0 ? lines : ['(nothing recorded)'];
}

/** The whole answer for people: the root, where it came from, what came of it. */
export function renderLineage(g: LineageGraph): string {
  const root = g.nodes.find((n) => n.id === g.root);
  const out = [
    root ? nodeLine(root) : g.root,
    '',
    'came from:',
    ...tree(g, 'back'),
    '',
    'led to:',
    ...tree(g, 'forward'),
  ];
  if (g.truncated) out.push('', '(cut at the depth or size bound: raise --depth)');
  out.push(
    '',
    `serving: the registry does not see deployments; serving follows its SERVING_ALIAS (default ${g.servingAlias})`,
  );
  return out.join('\n') + '\n';
}
