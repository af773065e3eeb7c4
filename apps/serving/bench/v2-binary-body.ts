import type { Column, DataRow } from '@mlops/contracts';
import { v2DatatypeOf } from '../src/protocols/tensors';

/**
 * Rows as OIP v2 tensors with the binary tensor extension, as Triton's Python client sends
 * them: a JSON header (`headerLength` bytes) naming one `[n]` tensor per feature, then each
 * numeric feature's values as little-endian FP32 bytes; other features carry JSON `data`.
 */
export function v2BinaryBody(
  inputs: readonly Column[],
  records: readonly DataRow[],
): { body: Buffer; headerLength: number } {
  const blobs: Buffer[] = [];
  const tensors = inputs.map((c) => {
    const values = records.map((r) => r[c.name]);
    const datatype = v2DatatypeOf(c);
    if (datatype !== 'FP32')
      return { name: c.name, shape: [records.length], datatype, data: values };
    const bytes = new Float32Array(values.map((v) => (typeof v === 'number' ? v : NaN)));
    blobs.push(Buffer.from(bytes.buffer));
    return {
      name: c.name,
      shape: [records.length],
      datatype,
      parameters: { binary_data_size: bytes.byteLength },
    };
  });
  const header = Buffer.from(JSON.stringify({ inputs: tensors }));
  return { body: Buffer.concat([header, ...blobs]), headerLength: header.length };
}
