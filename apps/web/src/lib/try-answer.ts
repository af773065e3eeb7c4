import { z } from 'zod';
import {
  aliasNameSchema,
  predictResponseSchema,
  resourceNameSchema,
  type Signature,
} from '@mlops/contracts';

/*
 * What serving's answer to the "Try it" box means for the person reading it: label, every
 * class's probability, the version that answered.
 */

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
