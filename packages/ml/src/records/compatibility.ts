import type {
  Column,
  Signature,
  SignatureChangeEffect,
  SignatureCompatibility,
  TensorInput,
} from '@mlops/contracts';

type Change = SignatureCompatibility['changes'][number];

/**
 * The signature diff, classified by what a request written for the reference version gets from
 * the candidate in serving — the rules of checkRecords (check.ts), the protocols and the
 * SERVING_UNKNOWN_CATEGORY default — so "compatible" is a promise a test can hold serving to
 * (apps/serving/test/compatibility.test.ts sends v1 requests to v2 for each kind of change).
 */

function change(
  kind: Change['kind'],
  feature: string,
  effect: SignatureChangeEffect,
  message: string,
): Change {
  return { kind, feature, message, effect };
}

/** What a client must send for a tensor input: any difference breaks it. */
function tensorContract(input: TensorInput): string {
  const shape = `${input.kind} ${input.dtype} [${input.shape.join(', ')}]`;
  return input.kind === 'image' ? `${shape} ${JSON.stringify(input.decoding)}` : shape;
}

/**
 * Tensor inputs by name. Every difference is refused: serving refuses a tensor the model does
 * not take (a removed input), a tensor of another kind, dtype, shape or decoding, and a missing
 * one (tensors have no null, so a new input is always required).
 */
function tensorChanges(candidate: Signature, reference: Signature): Change[] {
  const changes: Change[] = [];
  const cand = new Map((candidate.tensors?.inputs ?? []).map((t) => [t.name, t]));
  const ref = new Map((reference.tensors?.inputs ?? []).map((t) => [t.name, t]));
  for (const [name, r] of ref) {
    const c = cand.get(name);
    if (!c) changes.push(change('removed', name, 'refused', `input ${name} is no longer accepted`));
    else if (tensorContract(c) !== tensorContract(r))
      changes.push(
        change(
          'retyped',
          name,
          'refused',
          `input ${name} changed ${tensorContract(r)} → ${tensorContract(c)}`,
        ),
      );
  }
  for (const name of cand.keys())
    if (!ref.has(name))
      changes.push(change('added_required', name, 'refused', `new required input ${name}`));
  return changes;
}

/** Categories added (answered) and removed (refused by default) of a categorical feature. */
function categoryChanges(cand: Column, ref: Column): Change[] {
  // Without both lists there is nothing to compare: serving then knows no unknown category.
  if (!cand.categories || !ref.categories) return [];
  const now = new Set(cand.categories);
  const before = new Set(ref.categories);
  const added = cand.categories.filter((c) => !before.has(c));
  const removed = ref.categories.filter((c) => !now.has(c));
  const list = (values: string[]) => values.map((v) => JSON.stringify(v)).join(', ');
  const changes: Change[] = [];
  if (added.length > 0)
    changes.push(
      change(
        'category_added',
        ref.name,
        'none',
        `input ${ref.name} also takes ${list(added)} (clients that never send it are unaffected)`,
      ),
    );
  if (removed.length > 0)
    changes.push(
      change(
        'category_removed',
        ref.name,
        'refused',
        `input ${ref.name} no longer knows ${list(removed)}: a request sending it is refused (SERVING_UNKNOWN_CATEGORY=error) or imputed`,
      ),
    );
  return changes;
}

/** One scalar feature of the reference against the candidate's feature of the same name. */
function featureChanges(cand: Column | undefined, ref: Column): Change[] {
  // Extra keys (and v2 tensors) are ignored by every protocol: the old client keeps working.
  if (!cand)
    return [
      change(
        'removed',
        ref.name,
        'none',
        `input ${ref.name} is no longer used (sending it is ignored)`,
      ),
    ];
  if (cand.type !== ref.type)
    return [
      change(
        'retyped',
        ref.name,
        'refused',
        `input ${ref.name} changed type ${ref.type} → ${cand.type}`,
      ),
    ];
  const changes: Change[] = [];
  if (ref.nullable && !cand.nullable)
    changes.push(
      change('nullability', ref.name, 'refused', `input ${ref.name} no longer accepts null`),
    );
  if (cand.type === 'categorical') changes.push(...categoryChanges(cand, ref));
  return changes;
}

/**
 * Compare a candidate's signature with a reference (normally the champion's). Refused: a
 * feature retyped or made non-nullable, a category removed, a new non-nullable feature. Answered
 * as before: a removed feature (its key is ignored), a new nullable feature (missing = null), a
 * new category. Answered differently: the output's task, target or labels changed.
 */
export function compareSignatures(
  candidate: Signature,
  reference: Signature,
  against: SignatureCompatibility['against'],
): SignatureCompatibility {
  const changes: Change[] = [];
  const byName = new Map(candidate.inputs.map((c) => [c.name, c]));
  const referenceNames = new Set(reference.inputs.map((c) => c.name));
  for (const ref of reference.inputs) changes.push(...featureChanges(byName.get(ref.name), ref));
  for (const cand of candidate.inputs) {
    if (referenceNames.has(cand.name)) continue;
    changes.push(
      cand.nullable
        ? change(
            'added_optional',
            cand.name,
            'none',
            `new optional input ${cand.name} (a request without it reads it as null)`,
          )
        : change('added_required', cand.name, 'refused', `new required input ${cand.name}`),
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
    changes.push(
      change(
        'output',
        out.target,
        'answer_changed',
        `output changed (${refOut.task} ${refOut.target} → ${out.task} ${out.target})`,
      ),
    );
  }
  return { against, breaking: changes.some((c) => c.effect !== 'none'), changes };
}
