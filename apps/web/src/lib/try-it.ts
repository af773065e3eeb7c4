import { z } from 'zod';
import {
  aliasNameSchema,
  predictResponseSchema,
  resourceNameSchema,
  type Column,
  type FeatureRecord,
  type Signature,
  type TensorInput,
} from '@mlops/contracts';

/**
 * The "Try it" box's logic, apart from React and fetch: which serving path a choice reaches,
 * what a form or a file becomes, and what serving's answer means for the person reading it.
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

/** One prediction as the box shows it. */
export interface TryAnswer {
  model: string;
  version: number;
  alias: string | null;
  predictionId: string | null;
  /** Classification: the best class and every class's probability, highest first. */
  label: string | null;
  probabilities: Array<{ label: string; value: number }>;
  /** Regression: the predicted value. */
  value: number | null;
}

const tensorAnswerSchema = z.object({
  predictions: z.array(z.unknown()).min(1),
  model: z.object({
    name: resourceNameSchema,
    version: z.number().int(),
    alias: aliasNameSchema.nullable(),
  }),
  predictionIds: z.array(z.string()),
});

/** Thrown when serving's answer does not have the shape its protocol documents. */
export class AnswerShapeError extends Error {
  constructor(why: string) {
    super(`serving answered something this page cannot read: ${why}`);
    this.name = 'AnswerShapeError';
  }
}

function numbers(value: unknown): number[] | null {
  if (typeof value === 'number') return [value];
  if (!Array.isArray(value)) return null;
  const flat = value.flat(Infinity) as unknown[];
  return flat.every((v): v is number => typeof v === 'number') ? flat : null;
}

function softmax(values: number[]): number[] {
  const max = Math.max(...values);
  const exp = values.map((v) => Math.exp(v - max));
  const sum = exp.reduce((a, b) => a + b, 0);
  return exp.map((e) => e / sum);
}

function ranked(labels: readonly string[], values: readonly number[]) {
  return labels
    .map((label, i) => ({ label, value: values[i] ?? 0 }))
    .sort((a, b) => b.value - a.value);
}

/**
 * Serving's TF Serving answer to one example, read with the signature of the version that
 * answered. A tabular model answers `{label, probabilities}` or `{value}`; a tensor model answers
 * its raw outputs (one bare when it has one, else keyed by name), which are read here the way
 * serving's own prediction log reads them: the first `probabilities`/`logits` output, index i
 * being `labels[i]`. Logits are shown through a softmax, so the bars are probabilities.
 */
export function readAnswer(body: unknown, signature: Signature): TryAnswer {
  const tabular = predictResponseSchema.safeParse(body);
  if (tabular.success && !signature.tensors) {
    const { model, predictions, predictionIds } = tabular.data;
    const p = predictions[0];
    if (!p) throw new AnswerShapeError('no prediction');
    const base = { model: model.name, version: model.version, alias: model.alias };
    const id = predictionIds[0] ?? null;
    if ('label' in p) {
      const labels = Object.keys(p.probabilities);
      return {
        ...base,
        predictionId: id,
        label: p.label,
        probabilities: ranked(
          labels,
          labels.map((l) => p.probabilities[l] ?? 0),
        ),
        value: null,
      };
    }
    return { ...base, predictionId: id, label: null, probabilities: [], value: p.value };
  }
  const parsed = tensorAnswerSchema.safeParse(body);
  if (!parsed.success || !signature.tensors)
    throw new AnswerShapeError('no "predictions" with a model and prediction ids');
  const { model, predictions, predictionIds } = parsed.data;
  const outputs = signature.tensors.outputs;
  const out = signature.output;
  const scored =
    out.task === 'classification'
      ? (outputs.find((o) => o.role === 'probabilities' || o.role === 'logits') ?? outputs[0]!)
      : outputs[0]!;
  const first = predictions[0];
  const raw =
    outputs.length === 1
      ? first
      : typeof first === 'object' && first !== null && !Array.isArray(first)
        ? (first as Record<string, unknown>)[scored.name]
        : undefined;
  const values = numbers(raw);
  if (!values || values.length === 0)
    throw new AnswerShapeError(`output "${scored.name}" is not a list of numbers`);
  const base = {
    model: model.name,
    version: model.version,
    alias: model.alias,
    predictionId: predictionIds[0] ?? null,
  };
  if (out.task === 'regression')
    return { ...base, label: null, probabilities: [], value: values[0]! };
  const probabilities = ranked(out.labels, scored.role === 'logits' ? softmax(values) : values);
  return { ...base, label: probabilities[0]!.label, probabilities, value: null };
}

/**
 * Read an answer with the signature of the version that gave it (`signatureOf(version)`, null
 * when the body names none): an alias can move between choosing a model and its answer, and
 * versions of one model may take different inputs.
 */
export function readAnswerOf(
  body: unknown,
  signatureOf: (version: number | null) => Signature,
): TryAnswer {
  const model =
    typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : null;
  const version =
    typeof model === 'object' && model !== null ? (model as { version?: unknown }).version : null;
  return readAnswer(body, signatureOf(typeof version === 'number' ? version : null));
}
