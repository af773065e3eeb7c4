import type { TensorSignature } from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import {
  examplesToTensor,
  invalidInput,
  isB64,
  nest,
  type TensorReadOptions,
} from './tensor-inputs';

/**
 * TF Serving's REST predict for tensor inputs, as its API documentation shows
 * (tensorflow/serving api_rest.md): row format `instances` (a model with one input may send
 * each instance bare; otherwise an object keyed by input name) and columnar `inputs` (bare for
 * one input, else keyed by name, each value with the batch as its first dimension). `{"b64":
 * "…"}` carries an encoded image. A single output is unwrapped, several are keyed by name.
 */

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isB64(v);
}

function unknownKeys(signature: TensorSignature, keys: string[], where: string): void {
  const names = signature.inputs.map((i) => i.name);
  for (const k of keys)
    if (!names.includes(k))
      throw invalidInput(
        k,
        `${where} names no input of the model; its inputs are ${names.join(', ')}`,
      );
}

export async function instancesToTensors(
  signature: TensorSignature,
  instances: readonly unknown[],
  opts: TensorReadOptions,
): Promise<Record<string, TensorValue>> {
  const single = signature.inputs.length === 1;
  const names = signature.inputs.map((i) => i.name).join(', ');
  const feeds: Record<string, TensorValue> = {};
  for (const input of signature.inputs) {
    const values = instances.map((inst, i) => {
      if (single && !isRecord(inst)) return inst;
      if (!isRecord(inst))
        throw invalidInput(
          input.name,
          `instances[${i}] must be an object keyed by input name (${names}): the model has several inputs`,
        );
      unknownKeys(signature, Object.keys(inst), `instances[${i}]`);
      if (!(input.name in inst))
        throw invalidInput(input.name, `instances[${i}] has no "${input.name}"`);
      return inst[input.name];
    });
    feeds[input.name] = await examplesToTensor(
      input,
      values,
      (i) => (isRecord(instances[i]) ? `instances[${i}].${input.name}` : `instances[${i}]`),
      opts,
    );
  }
  return feeds;
}

export async function columnsToTensors(
  signature: TensorSignature,
  inputs: unknown,
  opts: TensorReadOptions,
): Promise<Record<string, TensorValue>> {
  const single = signature.inputs.length === 1;
  const only = signature.inputs[0]!;
  const byName: Record<string, unknown> =
    single && !isRecord(inputs)
      ? { [only.name]: inputs }
      : isRecord(inputs)
        ? inputs
        : (() => {
            throw invalidInput(
              only.name,
              `"inputs" must be an object keyed by input name (${signature.inputs.map((i) => i.name).join(', ')})`,
            );
          })();
  unknownKeys(signature, Object.keys(byName), '"inputs"');
  const feeds: Record<string, TensorValue> = {};
  for (const input of signature.inputs) {
    let column = byName[input.name];
    if (column === undefined) throw invalidInput(input.name, `"inputs" has no "${input.name}"`);
    if (isB64(column)) column = [column];
    if (!Array.isArray(column))
      throw invalidInput(input.name, 'must be a list with the batch as its first dimension');
    feeds[input.name] = await examplesToTensor(
      input,
      column,
      (i) => `inputs.${input.name}[${i}]`,
      opts,
    );
  }
  return feeds;
}

/** Row answer: one entry per example; a single output bare, several keyed by output name. */
export function tensorPredictions(
  signature: TensorSignature,
  outputs: Record<string, TensorValue>,
): unknown[] {
  const n = outputs[signature.outputs[0]!.name]!.shape[0]!;
  const perExample = signature.outputs.map((o) => {
    const { data, shape } = outputs[o.name]!;
    return { name: o.name, rows: shape.length === 1 ? Array.from(data) : nest(data, shape) };
  });
  if (perExample.length === 1) return perExample[0]!.rows;
  return Array.from({ length: n }, (_, i) =>
    Object.fromEntries(perExample.map((o) => [o.name, o.rows[i]])),
  );
}

/** Columnar answer: a single output bare ([n, ...]), several keyed by output name. */
export function tensorOutputs(
  signature: TensorSignature,
  outputs: Record<string, TensorValue>,
): unknown {
  const columns = signature.outputs.map((o) => {
    const { data, shape } = outputs[o.name]!;
    return [o.name, shape.length === 1 ? Array.from(data) : nest(data, shape)] as const;
  });
  return columns.length === 1 ? columns[0]![1] : Object.fromEntries(columns);
}
