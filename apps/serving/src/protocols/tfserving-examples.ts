import { AppError, type Prediction, type Signature } from '@mlops/contracts';
import {
  CLASSIFY_SIGNATURE,
  checkSignatureName,
  REGRESS_SIGNATURE,
  signatureNames,
} from './tfserving-signatures';

/**
 * TF Serving's Classify and Regress APIs (api_rest.md, "Classify and Regress API"): a body of
 * `Example`s, `{"examples": [{feature: value|[value]}, …], "context": {feature: …}}`, where
 * context features are shared by every example and must not appear in one. Answers are
 * `{"results": [[[label, score], …], …]}` (classify) and `{"results": [value, …]}` (regress).
 */
export type ExamplesVerb = 'classify' | 'regress';

function bad(message: string, path: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ path, message }]);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A feature of an Example is a value or a list of values; a tabular feature takes one. */
function featureValue(value: unknown, path: string): unknown {
  if (!Array.isArray(value)) return value;
  if (value.length !== 1)
    throw bad(`has ${value.length} values; this model takes one value per feature`, path);
  return value[0];
}

/** The examples as feature records, once the body's shape is checked (before the model). */
export function readExamples(body: unknown): {
  signatureName: unknown;
  records: Array<Record<string, unknown>>;
} {
  if (!isObject(body))
    throw bad('The body must be a JSON object with "examples": [{feature: value}, …]', 'examples');
  const { examples, context } = body;
  if (!Array.isArray(examples)) throw bad('"examples" must be a list of objects', 'examples');
  if (context !== undefined && !isObject(context))
    throw bad('"context" must be an object of features shared by every example', 'context');
  const shared = Object.entries(context ?? {}).map(
    ([k, v]) => [k, featureValue(v, `context.${k}`)] as const,
  );
  const records = examples.map((example, i) => {
    if (!isObject(example)) throw bad('must be an object of features', `examples[${i}]`);
    const record: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(example)) {
      if (context && k in context)
        throw bad(
          `"${k}" is in "context" too; a context feature must not appear in an example`,
          `examples[${i}].${k}`,
        );
      record[k] = featureValue(v, `examples[${i}].${k}`);
    }
    for (const [k, v] of shared) record[k] = v;
    return record;
  });
  return { signatureName: body.signature_name, records };
}

/** The model must be of the verb's kind: a classifier for classify, a regressor for regress. */
export function checkExamplesModel(
  verb: ExamplesVerb,
  signatureName: unknown,
  signature: Signature,
  model: string,
): void {
  if (signature.tensors)
    throw new AppError(
      'VALIDATION_FAILED',
      `"${model}" takes tensors, not Examples: use POST /v1/models/${model}:predict`,
    );
  checkSignatureName(signatureName, signatureNames(signature));
  const task = signature.output.task;
  const wanted = verb === 'classify' ? 'classification' : 'regression';
  if (task !== wanted) {
    const other = task === 'classification' ? 'classify' : 'regress';
    throw new AppError(
      'VALIDATION_FAILED',
      `"${model}" is a ${task} model: call :${other} (signature "${other === 'classify' ? CLASSIFY_SIGNATURE : REGRESS_SIGNATURE}") or :predict`,
    );
  }
}

/** Classify: every label with its score, in the labels' order; regress: the value. */
export function examplesResults(
  verb: ExamplesVerb,
  signature: Signature,
  predictions: readonly Prediction[],
): unknown[] {
  const out = signature.output;
  if (verb === 'regress') return predictions.map((p) => ('value' in p ? p.value : Number.NaN));
  const labels = out.task === 'classification' ? out.labels : [];
  return predictions.map((p) =>
    'label' in p ? labels.map((l) => [l, p.probabilities[l] ?? 0]) : [],
  );
}
