import type { ModelVersion } from '@mlops/contracts';

/** What a model takes, as a person reads it: feature names, or tensor inputs with their shape. */
export function describeInputs(signature: ModelVersion['manifest']['signature']): string {
  if (signature.tensors)
    return signature.tensors.inputs
      .map((t) => `${t.name} [${t.shape.join(', ')}]${t.kind === 'image' ? ' image' : ''}`)
      .join(', ');
  return signature.inputs.map((i) => i.name).join(', ');
}

/**
 * Where a version came from: run, dataset, preset or transfer base, backend, seed, code, inputs,
 * and the columns its run left out of the default features (with why, on hover).
 */
export function LineageList({ v }: { v: ModelVersion }) {
  const l = v.manifest.lineage;
  const skipped = Object.entries(l.skippedFeatures ?? {});
  return (
    <dl className="lineage" aria-label="Lineage">
      <dt>task</dt>
      <dd>{v.manifest.task}</dd>
      <dt>run</dt>
      <dd>
        <code>{l.runId ?? '–'}</code>
      </dd>
      <dt>dataset</dt>
      <dd>
        <code title={l.datasetHash ?? ''}>
          {l.datasetHash ? `${l.datasetHash.slice(0, 12)}…` : '–'}
        </code>
      </dd>
      {l.base ? (
        <>
          <dt>base</dt>
          <dd>
            {l.base.model} v{l.base.version}{' '}
            <code title={l.base.sha256}>{l.base.sha256.slice(0, 12)}…</code>
          </dd>
        </>
      ) : (
        <>
          <dt>preset</dt>
          <dd>{l.preset ?? '–'}</dd>
        </>
      )}
      <dt>backend</dt>
      <dd>
        {l.backend ?? '–'} {l.tfjsVersion ? `(TF.js ${l.tfjsVersion})` : ''}
      </dd>
      <dt>seed</dt>
      <dd>{l.seed ?? '–'}</dd>
      <dt>code</dt>
      <dd>
        <code>{l.codeRevision.slice(0, 12)}</code>
      </dd>
      <dt>{v.manifest.signature.tensors ? 'inputs' : 'features'}</dt>
      <dd>{describeInputs(v.manifest.signature)}</dd>
      {skipped.length > 0 ? (
        <>
          <dt>left out</dt>
          <dd>
            {skipped.map(([column, why], i) => (
              <span key={column} title={why}>
                {i > 0 ? ', ' : ''}
                {column}
              </span>
            ))}
          </dd>
        </>
      ) : null}
      <dt>created</dt>
      <dd>{new Date(v.createdAt).toLocaleString()}</dd>
    </dl>
  );
}
