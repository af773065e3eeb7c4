import { invalidInput } from './tensor-inputs';

/**
 * A tabular model's numeric feature sent with the binary tensor extension: the tensor's raw
 * little-endian bytes read straight into one Float64Array column, with no JSON text to parse
 * and no array of numbers in between (issue 23: the fast path for batches). Every value is
 * then checked by the signature as a JSON column's would be (a NaN or an infinity is refused
 * there, naming its cell), so both ways answer the same.
 */

type Read = (view: DataView, at: number) => number;

/** The numeric datatypes a feature may come in, binary: bytes per value and how to read one. */
const BINARY_NUMBERS: Readonly<Record<string, { bytes: number; read: Read }>> = {
  FP32: { bytes: 4, read: (v, at) => v.getFloat32(at, true) },
  FP64: { bytes: 8, read: (v, at) => v.getFloat64(at, true) },
  INT8: { bytes: 1, read: (v, at) => v.getInt8(at) },
  INT16: { bytes: 2, read: (v, at) => v.getInt16(at, true) },
  INT32: { bytes: 4, read: (v, at) => v.getInt32(at, true) },
  UINT8: { bytes: 1, read: (v, at) => v.getUint8(at) },
  UINT16: { bytes: 2, read: (v, at) => v.getUint16(at, true) },
  UINT32: { bytes: 4, read: (v, at) => v.getUint32(at, true) },
};

/** `rows` values of tensor `name` (datatype, shape as sent) from its binary section `raw`. */
export function binaryFeatureColumn(
  name: string,
  datatype: string,
  shape: readonly number[],
  raw: Uint8Array,
  rows: number,
): Float64Array {
  const kind = BINARY_NUMBERS[datatype];
  if (!kind)
    throw invalidInput(
      name,
      `binary data of datatype ${datatype}; send a numeric feature as ${Object.keys(BINARY_NUMBERS).join(', ')}`,
    );
  if (raw.length !== rows * kind.bytes)
    throw invalidInput(
      name,
      `binary_data_size is ${raw.length} bytes; shape [${shape.join(', ')}] of ${datatype} needs ${rows * kind.bytes}`,
    );
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const column = new Float64Array(rows);
  if (datatype === 'FP32') {
    // The hot case, without a call per value.
    for (let i = 0; i < rows; i++) column[i] = view.getFloat32(i * 4, true);
    return column;
  }
  for (let i = 0; i < rows; i++) column[i] = kind.read(view, i * kind.bytes);
  return column;
}
