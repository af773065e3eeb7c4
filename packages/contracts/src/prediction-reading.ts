import { z } from 'zod';
import { aliasNameSchema, resourceNameSchema } from './names';
import { predictResponseSchema } from './predict';
import type { Signature } from './model';

/*
 * What a TF Serving answer means for a person: label, every class's probability, or the value.
 * A tabular model answers `{label, probabilities}` or `{value}` per instance; a tensor model
 * answers its raw outputs (one bare when it has one, else keyed by name), which only the
 * version's signature can read. The dashboard's "Try it" box and `mlops predict` read answers
 * with this one function, so they cannot disagree with each other or with serving's own
 * prediction log.
 */

/** One instance's prediction, readable. */
export interface ReadPrediction {
  predictionId: string | null;
  /** Classification: the best class and every class's probability, highest first. */
  label: string | null;
  probabilities: Array<{ label: string; value: number }>;
  /** Regression: the predicted value. */
  value: number | null;
}

export interface ReadAnswer {
  model: { name: string; version: number; alias: string | null };
  predictions: ReadPrediction[];
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
    super(`serving answered something this client cannot read: ${why}`);
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
 * One row of a tabular model's TF Serving answer as TF Serving shapes it (the default without
 * `?format=platform`): a regression's bare value, or a classifier's `label` with its
 * `probabilities` in the order of the signature's labels.
 */
function readTabular(p: unknown, i: number, signature: Signature): ReadPrediction {
  const out = signature.output;
  const predictionId = null;
  if (typeof p === 'number' && out.task === 'regression')
    return { predictionId, label: null, probabilities: [], value: p };
  const row = typeof p === 'object' && p !== null ? (p as Record<string, unknown>) : {};
  const values = numbers(row.probabilities);
  if (out.task !== 'classification' || typeof row.label !== 'string' || !values)
    throw new AnswerShapeError(`prediction ${i} is neither a value nor a label with probabilities`);
  return { predictionId, label: row.label, probabilities: ranked(out.labels, values), value: null };
}

/** The model a body names (`model.version`), or null: to pick the signature to read it with. */
export function answeringVersion(body: unknown): number | null {
  const model =
    typeof body === 'object' && body !== null ? (body as { model?: unknown }).model : null;
  const version =
    typeof model === 'object' && model !== null ? (model as { version?: unknown }).version : null;
  return typeof version === 'number' ? version : null;
}

/**
 * Serving's TF Serving answer read with the signature of the version that answered. Tensor
 * outputs are read the way serving's prediction log reads them: the first
 * `probabilities`/`logits` output, index i being `labels[i]`; logits go through a softmax so
 * the result is probabilities.
 */
export function readPredictions(body: unknown, signature: Signature): ReadAnswer {
  const tabular = predictResponseSchema.safeParse(body);
  if (tabular.success && !signature.tensors) {
    const { model, predictions, predictionIds } = tabular.data;
    return {
      model,
      predictions: predictions.map((p, i) => {
        const predictionId = predictionIds[i] ?? null;
        if (!('label' in p))
          return { predictionId, label: null, probabilities: [], value: p.value };
        const labels = Object.keys(p.probabilities);
        return {
          predictionId,
          label: p.label,
          probabilities: ranked(
            labels,
            labels.map((l) => p.probabilities[l] ?? 0),
          ),
          value: null,
        };
      }),
    };
  }
  const parsed = tensorAnswerSchema.safeParse(body);
  if (!parsed.success)
    throw new AnswerShapeError('no "predictions" with a model and prediction ids');
  const { model, predictions, predictionIds } = parsed.data;
  if (!signature.tensors)
    return {
      model,
      predictions: predictions.map((p, i) => ({
        ...readTabular(p, i, signature),
        predictionId: predictionIds[i] ?? null,
      })),
    };
  const outputs = signature.tensors.outputs;
  const out = signature.output;
  const scored =
    out.task === 'classification'
      ? (outputs.find((o) => o.role === 'probabilities' || o.role === 'logits') ?? outputs[0]!)
      : outputs[0]!;
  return {
    model,
    predictions: predictions.map((prediction, i) => {
      const raw =
        outputs.length === 1
          ? prediction
          : typeof prediction === 'object' && prediction !== null && !Array.isArray(prediction)
            ? (prediction as Record<string, unknown>)[scored.name]
            : undefined;
      const values = numbers(raw);
      if (!values || values.length === 0)
        throw new AnswerShapeError(`output "${scored.name}" is not a list of numbers`);
      const predictionId = predictionIds[i] ?? null;
      if (out.task === 'regression')
        return { predictionId, label: null, probabilities: [], value: values[0]! };
      const probabilities = ranked(out.labels, scored.role === 'logits' ? softmax(values) : values);
      return { predictionId, label: probabilities[0]!.label, probabilities, value: null };
    }),
  };
}
