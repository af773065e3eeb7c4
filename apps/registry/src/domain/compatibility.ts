import type { Signature, SignatureCompatibility } from '@mlops/contracts';

type Change = SignatureCompatibility['changes'][number];

/**
 * Compare a candidate's input signature with a reference (normally the champion's). Breaking:
 * a feature the reference takes is removed (a rename shows as removed + added), retyped, made
 * non-nullable, or a new feature is required (clients of the reference do not send it); or the
 * output changes task/target/labels. Adding a nullable feature is not breaking.
 */
export function compareSignatures(
  candidate: Signature,
  reference: Signature,
  against: SignatureCompatibility['against'],
): SignatureCompatibility {
  const changes: Change[] = [];
  const byName = new Map(candidate.inputs.map((c) => [c.name, c]));
  const referenceNames = new Set(reference.inputs.map((c) => c.name));
  for (const ref of reference.inputs) {
    const cand = byName.get(ref.name);
    if (!cand) {
      changes.push({
        kind: 'removed',
        feature: ref.name,
        message: `input ${ref.name} is no longer accepted`,
      });
    } else if (cand.type !== ref.type) {
      changes.push({
        kind: 'retyped',
        feature: ref.name,
        message: `input ${ref.name} changed type ${ref.type} → ${cand.type}`,
      });
    } else if (ref.nullable && !cand.nullable) {
      changes.push({
        kind: 'nullability',
        feature: ref.name,
        message: `input ${ref.name} no longer accepts null`,
      });
    }
  }
  for (const cand of candidate.inputs) {
    if (referenceNames.has(cand.name)) continue;
    changes.push(
      cand.nullable
        ? { kind: 'added_optional', feature: cand.name, message: `new optional input ${cand.name}` }
        : {
            kind: 'added_required',
            feature: cand.name,
            message: `new required input ${cand.name}`,
          },
    );
  }
  const out = candidate.output;
  const refOut = reference.output;
  const labelsOf = (o: Signature['output']) =>
    o.task === 'classification' ? o.labels.join('\u0000') : '';
  if (
    out.task !== refOut.task ||
    out.target !== refOut.target ||
    labelsOf(out) !== labelsOf(refOut)
  ) {
    changes.push({
      kind: 'output',
      feature: out.target,
      message: `output changed (${refOut.task} ${refOut.target} → ${out.task} ${out.target})`,
    });
  }
  return { against, breaking: changes.some((c) => c.kind !== 'added_optional'), changes };
}
