import { invalidInput } from './tensor-inputs';

/**
 * An OIP v2 tensor's JSON `data`, checked while it is copied out: the request envelope is checked
 * by zod, but checking each of a batch's values against zod's union of element types cost more
 * than the model's predict (issue 23). Here every value is looked at once, as it is written to
 * its place — a typed array for a tensor model, a plain column for a tabular one.
 *
 * `data` is flat (row-major, as many values as the shape holds) or nested exactly as the shape
 * says (an array of `shape[0]` arrays of `shape[1]` …), as the protocol allows.
 */

/** Where a value goes; answers false when the value does not fit (`what` then says why). */
export interface DataSink {
  put(at: number, value: unknown): boolean;
  /** What a value must be, for the error: "a FP32 value", "a string". */
  what: string;
}

const show = (v: unknown): string =>
  v === undefined ? 'missing' : (JSON.stringify(v)?.slice(0, 40) ?? typeof v);

const index = (path: readonly number[]): string => path.map((i) => `[${i}]`).join('');

export const shapeCount = (shape: readonly number[]): number => shape.reduce((a, d) => a * d, 1);

/** Copies `data` (flat or nested as `shape`) into `sink`; throws a 400 naming input `name`. */
export function readData(
  name: string,
  data: readonly unknown[],
  shape: readonly number[],
  sink: DataSink,
): void {
  const count = shapeCount(shape);
  const shown = `[${shape.join(', ')}]`;
  const refuse = (path: readonly number[], v: unknown) =>
    invalidInput(name, `data${index(path)} is ${show(v)}; not ${sink.what}`);
  if (shape.length === 1 || data.length === 0 || !Array.isArray(data[0])) {
    if (data.length !== count)
      throw invalidInput(name, `shape ${shown} needs ${count} values, got ${data.length}`);
    for (let i = 0; i < count; i++) if (!sink.put(i, data[i])) throw refuse([i], data[i]);
    return;
  }
  const last = shape.length - 1;
  const walk = (values: unknown, depth: number, offset: number, path: number[]): void => {
    const want = shape[depth]!;
    if (!Array.isArray(values))
      throw invalidInput(
        name,
        `data${index(path)} is ${show(values)}; shape ${shown} needs an array of ${want} there`,
      );
    if (values.length !== want)
      throw invalidInput(
        name,
        `data${index(path)} has ${values.length} elements; shape ${shown} needs ${want} there`,
      );
    if (depth === last) {
      for (let i = 0; i < want; i++)
        if (!sink.put(offset + i, values[i])) throw refuse([...path, i], values[i]);
      return;
    }
    const stride = shapeCount(shape.slice(depth + 1));
    for (let i = 0; i < want; i++) walk(values[i], depth + 1, offset + i * stride, [...path, i]);
  };
  walk(data, 0, 0, []);
}
