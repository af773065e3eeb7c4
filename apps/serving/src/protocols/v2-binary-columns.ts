import { invalidInput } from './tensor-inputs';

/**
 * A tabular model's numeric feature sent with the binary tensor extension: the tensor's raw
 * little-endian bytes read straight into one Float64Array column, with no JSON text to parse
 * and no array of numbers in between (issue 23: the fast path for batches). Every value is
 * then checked by the signature as a JSON column's would be (a NaN or an infinity is refused
 * there, naming its cell), so both ways answer the same.
 */

type Typed =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Int16ArrayConstructor
  | Int32ArrayConstructor
  | Uint8ArrayConstructor
  | Uint16ArrayConstructor
  | Uint32ArrayConstructor;

/** The numeric datatypes a feature may come in, binary, as the typed array of their values. */
const BINARY_NUMBERS: Readonly<Record<string, Typed>> = {
  FP32: Float32Array,
  FP64: Float64Array,
  INT8: Int8Array,
  INT16: Int16Array,
  INT32: Int32Array,
  UINT8: Uint8Array,
  UINT16: Uint16Array,
  UINT32: Uint32Array,
};

/** The format's bytes are little-endian; typed arrays read the host's order. */
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** `rows` values of tensor `name` (datatype, shape as sent) from its binary section `raw`. */
export function binaryFeatureColumn(
  name: string,
  datatype: string,
  shape: readonly number[],
  raw: Uint8Array,
  rows: number,
): Float64Array {
  const Typed = BINARY_NUMBERS[datatype];
  if (!Typed)
    throw invalidInput(
      name,
      `binary data of datatype ${datatype}; send a numeric feature as ${Object.keys(BINARY_NUMBERS).join(', ')}`,
    );
  const bytes = Typed.BYTES_PER_ELEMENT;
  if (raw.length !== rows * bytes)
    throw invalidInput(
      name,
      `binary_data_size is ${raw.length} bytes; shape [${shape.join(', ')}] of ${datatype} needs ${rows * bytes}`,
    );
  if (!littleEndian) return bigEndianHost(datatype, raw, rows);
  // A copy first: the section may start at any byte of the body, a typed array needs its
  // element's alignment. Then one native conversion to float64 (exact for every type here).
  const values = new Typed(new Uint8Array(raw).buffer);
  if (values instanceof Float64Array) return values;
  const column = new Float64Array(rows);
  column.set(values);
  return column;
}

/** The same values read one by one through a DataView, which takes the byte order it is told. */
function bigEndianHost(datatype: string, raw: Uint8Array, rows: number): Float64Array {
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const read: (at: number) => number = {
    FP32: (at: number) => view.getFloat32(at * 4, true),
    FP64: (at: number) => view.getFloat64(at * 8, true),
    INT8: (at: number) => view.getInt8(at),
    INT16: (at: number) => view.getInt16(at * 2, true),
    INT32: (at: number) => view.getInt32(at * 4, true),
    UINT8: (at: number) => view.getUint8(at),
    UINT16: (at: number) => view.getUint16(at * 2, true),
    UINT32: (at: number) => view.getUint32(at * 4, true),
  }[datatype]!;
  const column = new Float64Array(rows);
  for (let i = 0; i < rows; i++) column[i] = read(i);
  return column;
}
