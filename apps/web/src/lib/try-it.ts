import type { Column, FeatureRecord, Signature, TensorInput } from '@mlops/contracts';

/**
 * The "Try it" box's requests, apart from React and fetch: which serving path a choice reaches,
 * what the box offers for a signature, and what a form or a file becomes. Answers: try-answer.ts.
 */

/** Serving's followed alias, or one version by number. */
export type TryTarget = { kind: 'served' } | { kind: 'version'; version: number };

/** TF Serving REST predict path of `model` at `target` (relative to serving's root). */
export function predictPath(model: string, target: TryTarget): string {
  const name = encodeURIComponent(model);
  return target.kind === 'served'
    ? `/v1/models/${name}:predict`
    : `/v1/models/${name}/versions/${target.version}:predict`;
}

export type ImageMediaType = 'image/jpeg' | 'image/png';

/** The media type from a file's first bytes: its name and the browser's guess say nothing. */
export function imageMediaType(bytes: Uint8Array): ImageMediaType | null {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff)
    return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return null;
}

/**
 * Why a file cannot be sent, by serving's stated body limit (null: send it). Checked before the
 * upload because serving refuses an oversized body by closing the connection mid-upload, which
 * reaches the browser as a proxy error or a stalled request rather than serving's 413.
 */
export function oversized(file: { name: string; size: number }, maxBodyBytes: number | undefined) {
  if (maxBodyBytes === undefined || file.size <= maxBodyBytes) return null;
  return `${file.name} makes a request body of ${file.size.toLocaleString('en')} bytes; serving reads at most ${maxBodyBytes.toLocaleString('en')} (SERVING_MAX_BODY_BYTES): send a smaller image`;
}

/** What the box can offer for a signature: an image drop, a form of features, or neither. */
export type TryKind =
  | { kind: 'image'; input: Extract<TensorInput, { kind: 'image' }> }
  | { kind: 'tabular'; features: Column[] }
  | { kind: 'unsupported'; why: string };

export function tryKindOf(signature: Signature): TryKind {
  const tensors = signature.tensors;
  if (!tensors) return { kind: 'tabular', features: signature.inputs };
  const [only] = tensors.inputs;
  if (tensors.inputs.length === 1 && only?.kind === 'image') return { kind: 'image', input: only };
  const described = tensors.inputs.map((i) => `${i.name} (${i.kind} [${i.shape.join(', ')}])`);
  return {
    kind: 'unsupported',
    why: `this model takes ${described.join(', ')}: send its tensors through serving's API (TF Serving or Open Inference Protocol)`,
  };
}

/**
 * The form's text values as one feature record. A number field left empty is sent as null (a
 * missing value, which serving imputes or refuses by name); text that is not a number is sent as
 * typed, so serving's message names the feature rather than this page guessing.
 */
export function formRecord(features: readonly Column[], values: Record<string, string>) {
  const record: FeatureRecord = {};
  for (const f of features) {
    const raw = (values[f.name] ?? '').trim();
    if (raw === '') record[f.name] = null;
    else if (f.type === 'numeric')
      record[f.name] = Number.isFinite(Number(raw)) ? Number(raw) : raw;
    else if (f.type === 'boolean')
      record[f.name] = raw === 'true' ? true : raw === 'false' ? false : raw;
    else record[f.name] = raw;
  }
  return record;
}
