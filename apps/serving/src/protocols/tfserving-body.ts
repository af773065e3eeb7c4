import { AppError, type Signature, type TensorSignature } from '@mlops/contracts';
import type { TensorValue } from '@mlops/ml/bundle';
import type { FeatureColumns } from '../models/row-block';
import { decodeImages, singleImageInput, type TensorReadOptions } from './tensor-inputs';
import { columnsToTensors, instancesToTensors } from './tfserving-tensors';
import { checkSignatureName, DEFAULT_SIGNATURE, signatureNames } from './tfserving-signatures';

/**
 * A TF Serving predict body as its REST API documentation writes it: row format `instances`
 * or columnar `inputs` (never both), or the raw bytes of an image. What it holds is only
 * checked once the model (and so its signature) is known.
 */

export function bad(message: string, path?: string): AppError {
  return new AppError('VALIDATION_FAILED', message, path ? [{ path, message }] : undefined);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `{"inputs": {"x": [..], "color": [..]}}` → one record per row; columns must align. */
export function columnsToRecords(
  inputs: Record<string, unknown[]>,
): Array<Record<string, unknown>> {
  const names = Object.keys(inputs);
  if (names.length === 0)
    throw bad('"inputs" names no feature: send {"inputs": {"feature": [values…]}}', 'inputs');
  const n = inputs[names[0]!]!.length;
  for (const name of names) {
    if (inputs[name]!.length !== n) {
      throw bad(
        `every input column must have the same length: "${names[0]}" has ${n}, "${name}" has ${inputs[name]!.length}`,
        `inputs.${name}`,
      );
    }
  }
  const records = new Array<Record<string, unknown>>(n);
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = {};
    for (const name of names) r[name] = inputs[name]![i];
    records[i] = r;
  }
  return records;
}

export interface PredictBody {
  kind: 'rows' | 'columns' | 'image';
  /** Feature records for a tabular model (columns are checked once the model is known). */
  records: (signature: Signature) => unknown[];
  /** A columnar body's features by column (infer.ts); null for rows, an image, or `[v0, …]`. */
  columns: (signature: Signature) => FeatureColumns | null;
  /** Named tensors for a tensor model. */
  tensors: (
    signature: TensorSignature,
    opts: TensorReadOptions,
  ) => Promise<Record<string, TensorValue>>;
}

/** `[x]`, a one-value row, is its value: the [-1, 1] form of a one-input model's column. */
function unwrapOne(v: unknown): unknown {
  return Array.isArray(v) && v.length === 1 ? v[0] : v;
}

/**
 * Row format: an object per instance keyed by feature name; a model with one input may send
 * each instance bare (`"instances": [1.0, 2.0, 5.0]`, TF Serving's documented call) or as a
 * one-value list.
 */
function bareInstances(signature: Signature, instances: unknown[]): unknown[] {
  // The hot path (records, as almost every client sends) allocates nothing.
  if (instances.every(isObject)) return instances;
  const only = signature.inputs.length === 1 ? signature.inputs[0]! : undefined;
  return instances.map((inst, i) => {
    if (isObject(inst)) return inst;
    if (only) return { [only.name]: unwrapOne(inst) };
    throw bad(
      `instances[${i}] must be an object keyed by feature name (${signature.inputs.map((c) => c.name).join(', ')}): the model has several inputs`,
      `instances[${i}]`,
    );
  });
}

/**
 * Columns checked by hand, not by zod's union per cell: every cell is checked against its
 * feature's type once, by the signature check the columns go through next (issue 23's JSON tax).
 */
function columnArrays(inputs: unknown): Record<string, unknown[]> {
  if (!isObject(inputs))
    throw bad('"inputs" must be an object of feature columns: {"feature": [values…]}', 'inputs');
  const names = Object.keys(inputs);
  for (const name of names)
    if (!Array.isArray(inputs[name]))
      throw bad(`"inputs.${name}" must be an array of values, one per row`, `inputs.${name}`);
  const columns = inputs as Record<string, unknown[]>;
  if (names.length === 0)
    throw bad('"inputs" names no feature: send {"inputs": {"feature": [values…]}}', 'inputs');
  const n = columns[names[0]!]!.length;
  for (const name of names) {
    if (columns[name]!.length !== n) {
      throw bad(
        `every input column must have the same length: "${names[0]}" has ${n}, "${name}" has ${columns[name]!.length}`,
        `inputs.${name}`,
      );
    }
  }
  return columns;
}

function parseColumns(inputs: unknown): unknown[] {
  return columnsToRecords(columnArrays(inputs));
}

/**
 * The signature's inputs among the columns, as they were sent (no copy; a nullable input left
 * out is absent): what a tabular model checks and encodes column by column (infer.ts).
 */
function featureColumns(inputs: unknown, signature: Signature): FeatureColumns {
  const columns = columnArrays(inputs);
  const names = Object.keys(columns);
  const cells = new Map<string, unknown[]>();
  for (const c of signature.inputs) {
    const column = Object.hasOwn(columns, c.name) ? columns[c.name] : undefined;
    if (column) cells.set(c.name, column);
  }
  return { rows: columns[names[0]!]!.length, cells };
}

/**
 * A predict body, checked by hand (the hot path): rows or columns, never both, or the raw
 * bytes of an image (`Content-Type: image/jpeg|png`) for a model with one image input.
 */
export function readBody(body: unknown, model: string): PredictBody {
  if (body instanceof Uint8Array) {
    return {
      kind: 'image',
      records: () => {
        singleImageInput(undefined, model); // throws: a tabular model takes no image body
        return [];
      },
      columns: () => null,
      tensors: async (signature, opts) => {
        const input = singleImageInput(signature, model);
        return { [input.name]: await decodeImages(input, [body], opts) };
      },
    };
  }
  if (!isObject(body))
    throw bad('The body must be a JSON object with "instances" (rows) or "inputs" (columns)');
  const hasRows = body.instances !== undefined;
  const hasColumns = body.inputs !== undefined;
  if (hasRows && hasColumns)
    throw bad('Send either "instances" (rows) or "inputs" (columns), never both', 'inputs');
  const name = body.signature_name;
  if (hasRows) {
    if (!Array.isArray(body.instances))
      throw bad('"instances" must be an array of feature records', 'instances');
    const instances = body.instances as unknown[];
    return {
      kind: 'rows',
      columns: () => null,
      records: (signature) => {
        checkSignatureName(name, signatureNames(signature));
        return bareInstances(signature, instances);
      },
      tensors: (signature, opts) => {
        checkSignatureName(name, [DEFAULT_SIGNATURE]);
        return instancesToTensors(signature, instances, opts);
      },
    };
  }
  if (hasColumns) {
    const oneInputList = (signature: Signature) =>
      signature.inputs.length === 1 && Array.isArray(body.inputs);
    return {
      kind: 'columns',
      columns: (signature) => {
        checkSignatureName(name, signatureNames(signature));
        return oneInputList(signature) ? null : featureColumns(body.inputs, signature);
      },
      records: (signature) => {
        checkSignatureName(name, signatureNames(signature));
        const only = signature.inputs.length === 1 ? signature.inputs[0]! : undefined;
        // One input: `"inputs": [v0, v1, …]` is that input's column, as the spec allows.
        if (only && Array.isArray(body.inputs))
          return columnsToRecords({ [only.name]: body.inputs.map(unwrapOne) });
        return parseColumns(body.inputs);
      },
      tensors: (signature, opts) => {
        checkSignatureName(name, [DEFAULT_SIGNATURE]);
        return columnsToTensors(signature, body.inputs, opts);
      },
    };
  }
  throw bad('The body has neither "instances" (rows) nor "inputs" (columns)', 'instances');
}
