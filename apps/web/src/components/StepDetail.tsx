import type { PipelineStepRun } from '@mlops/contracts';
import { elapsedMs, formatDuration, outputLinks } from '../lib/pipeline-run';
import { Status } from './Status';

/** The selected step of a pipeline run: its record, with links to what its outputs name. */
export function StepDetail({ step, now }: { step: PipelineStepRun; now: number }) {
  const links = outputLinks(step);
  return (
    <section className="step-detail" aria-label={`Step ${step.stepId}`}>
      <h3>
        Step <code>{step.stepId}</code> <Status value={step.status} />
        {step.cached ? (
          <span className="tag" title="Outputs reused from an earlier run with the same inputs">
            cached
          </span>
        ) : null}
      </h3>
      <dl className="lineage">
        <dt>uses</dt>
        <dd>
          <code>{step.uses}</code>
        </dd>
        <dt>duration</dt>
        <dd>{formatDuration(elapsedMs(step, now))}</dd>
        <dt>attempts</dt>
        <dd>{step.attempts}</dd>
        {step.startedAt ? (
          <>
            <dt>started</dt>
            <dd>{new Date(step.startedAt).toLocaleString()}</dd>
          </>
        ) : null}
        {step.cacheKey ? (
          <>
            <dt>cache key</dt>
            <dd>
              <code title={step.cacheKey}>{step.cacheKey.slice(0, 12)}…</code>
            </dd>
          </>
        ) : null}
      </dl>
      {step.error ? (
        <p className="error" data-testid="step-error">
          {step.error}
        </p>
      ) : null}
      {links.length > 0 ? (
        <p>
          Opens:{' '}
          {links.map((l, i) => (
            <span key={l.href}>
              {i > 0 ? ', ' : ''}
              <a href={l.href}>{l.label}</a>
            </span>
          ))}
        </p>
      ) : null}
      <div className="io-cols">
        <JsonBlock title="Inputs" value={step.inputs} empty="not resolved yet" />
        <JsonBlock title="Outputs" value={step.outputs} empty="none yet" />
      </div>
    </section>
  );
}

function JsonBlock({ title, value, empty }: { title: string; value: unknown; empty: string }) {
  return (
    <div>
      <h4>{title}</h4>
      {value ? (
        <pre className="json" aria-label={`${title} of the step`}>
          {JSON.stringify(value, null, 2)}
        </pre>
      ) : (
        <p className="muted">{empty}</p>
      )}
    </div>
  );
}
