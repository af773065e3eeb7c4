import type { Signature, SignatureCompatibility, TensorInput } from '@mlops/contracts';

type Change = SignatureCompatibility['changes'][number];

/** What a client must send for a tensor input: any difference breaks it. */
function tensorContract(input: TensorInput): string {
  const shape = `${input.kind} ${input.dtype} [${input.shape.join(', ')}]`;
  return input.kind === 'image' ? `${shape} ${JSON.stringify(input.decoding)}` : shape;
}

/**
 * Tensor inputs by name: one the reference takes is removed or changes kind, dtype, shape or
 * image decoding (clients send the old one), or a new one is required (tensors have no null).
 */
function tensorChanges(candidate: Signature, reference: Signature): Change[] {
  const changes: Change[] = [];
  const cand = new Map((candidate.tensors?.inputs ?? []).map((t) => [t.name, t]));
  const ref = new Map((reference.tensors?.inputs ?? []).map((t) => [t.name, t]));
  for (const [name, r] of ref) {
    const c = cand.get(name);
    if (!c)
      changes.push({
        kind: 'removed',
        feature: name,
        message: `input ${name} is no longer accepted`,
      });
    else if (tensorContract(c) !== tensorContract(r))
      changes.push({
        kind: 'retyped',
        feature: name,
        message: `input ${name} changed ${tensorContract(r)} → ${tensorContract(c)}`,
      });
  }
  for (const name of cand.keys())
    if (!ref.has(name))
      changes.push({
        kind: 'added_required',
        feature: name,
        message: `new required input ${name}`,
      });
  return changes;
}

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
  changes.push(...tensorChanges(candidate, reference));
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
