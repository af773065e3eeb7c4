import type { KeyboardEvent } from 'react';
import type { PipelineDefinition, PipelineStepRun } from '@mlops/contracts';
import { edgePath, layoutPipeline, NODE, type LayoutNode } from '../lib/pipeline-layout';
import { elapsedMs, formatDuration } from '../lib/pipeline-run';
import { toneOf } from './Status';

export interface PipelineGraphProps {
  definition: Pick<PipelineDefinition, 'steps'>;
  steps: readonly PipelineStepRun[];
  selected: string | null;
  onSelect: (stepId: string) => void;
  /** Clock for the running steps' durations (the page's last refresh). */
  now: number;
}

function attemptsText(attempts: number, status: string): string {
  if (attempts > 0) return attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return status === 'queued' ? 'waiting' : 'not run';
}

/** SVG text has no ellipsis: cut by characters (the full text is in the node's title). */
const clip = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 1)}…` : text;

/**
 * A run's steps as a left-to-right DAG. Each node is a button (keyboard too) that names its
 * step, `uses`, status in words as well as colour, duration, attempts and a cache badge.
 */
export function PipelineGraph({ definition, steps, selected, onSelect, now }: PipelineGraphProps) {
  const layout = layoutPipeline(definition);
  const byId = new Map(steps.map((s) => [s.stepId, s]));
  return (
    <div className="pipeline-graph">
      <svg
        viewBox={`0 0 ${layout.width} ${layout.height}`}
        width={layout.width}
        height={layout.height}
        role="group"
        aria-label={`Pipeline graph: ${layout.nodes.length} steps`}
      >
        <defs>
          <marker
            id="pipeline-arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="7"
            markerHeight="7"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" className="edge-head" />
          </marker>
        </defs>
        {layout.edges.map((e) => (
          <path
            key={`${e.from}->${e.to}`}
            d={edgePath(e)}
            className="edge"
            markerEnd="url(#pipeline-arrow)"
          />
        ))}
        {layout.nodes.map((n) => (
          <StepNode
            key={n.id}
            node={n}
            uses={definition.steps.find((s) => s.id === n.id)?.uses ?? ''}
            step={byId.get(n.id)}
            selected={selected === n.id}
            onSelect={onSelect}
            now={now}
          />
        ))}
      </svg>
    </div>
  );
}

function StepNode({
  node,
  uses,
  step,
  selected,
  onSelect,
  now,
}: {
  node: LayoutNode;
  uses: string;
  step: PipelineStepRun | undefined;
  selected: boolean;
  onSelect: (id: string) => void;
  now: number;
}) {
  const status = step?.status ?? 'queued';
  const duration = step ? elapsedMs(step, now) : null;
  const attempts = step?.attempts ?? 0;
  const label = [
    `step ${node.id}`,
    `uses ${uses}`,
    status,
    duration !== null ? formatDuration(duration) : null,
    step?.cached ? 'cached' : null,
    attempts > 0 ? attemptsText(attempts, status) : null,
  ]
    .filter(Boolean)
    .join(', ');
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      onSelect(node.id);
    }
  };
  return (
    <g
      transform={`translate(${node.x},${node.y})`}
      className={`node node-${toneOf(status)}${selected ? ' node-selected' : ''}`}
      role="button"
      tabIndex={0}
      aria-pressed={selected}
      aria-label={label}
      data-step={node.id}
      data-status={status}
      onClick={() => onSelect(node.id)}
      onKeyDown={onKey}
    >
      <title>{label}</title>
      <rect width={NODE.width} height={NODE.height} rx={8} />
      <text x={10} y={20} className="node-id">
        {clip(node.id, 24)}
      </text>
      <text x={10} y={38} className="node-uses">
        {clip(uses, 26)}
      </text>
      <text x={10} y={60} className="node-status">
        {status}
        {duration !== null ? ` · ${formatDuration(duration)}` : ''}
      </text>
      <text x={10} y={80} className="node-meta">
        {attemptsText(attempts, status)}
      </text>
      {step?.cached ? (
        <g transform={`translate(${NODE.width - 66},66)`} className="node-cached">
          <rect width={56} height={18} rx={9} />
          <text x={28} y={13} textAnchor="middle">
            cached
          </text>
        </g>
      ) : null}
    </g>
  );
}
