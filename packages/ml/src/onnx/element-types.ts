import type { OnnxElementType } from '@mlops/contracts';

/**
 * ONNX TensorProto.DataType codes → the contract's names. Codes not listed (complex, bfloat16,
 * 4/8-bit floats) are refused at import: ONNX Runtime for Node has no JS array for them.
 */
const BY_CODE: ReadonlyMap<number, OnnxElementType> = new Map([
  [1, 'float32'],
  [2, 'uint8'],
  [3, 'int8'],
  [4, 'uint16'],
  [5, 'int16'],
  [6, 'int32'],
  [7, 'int64'],
  [8, 'string'],
  [9, 'bool'],
  [10, 'float16'],
  [11, 'float64'],
  [12, 'uint32'],
  [13, 'uint64'],
]);

const NAMES_OF_UNSUPPORTED: Readonly<Record<number, string>> = {
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

export function elementTypeOf(code: number): OnnxElementType | null {
  return BY_CODE.get(code) ?? null;
}

/** A readable name for a code the platform does not take (for the import's error message). */
export function unsupportedTypeName(code: number): string {
  return NAMES_OF_UNSUPPORTED[code] ?? `data type ${code}`;
}

export function elementTypeCode(type: OnnxElementType): number {
  for (const [code, name] of BY_CODE) if (name === type) return code;
  throw new Error(`no ONNX code for ${type}`);
}
