export { exportToOnnx, PRODUCER_NAME, PRODUCER_VERSION } from './export';
export type { ExportOptions, OnnxExport } from './export';
export { OPSET_VERSION } from './graph';
export { OnnxExportError } from './ops';
export { compareEngines, ONNX_TOLERANCE, VERIFY_SESSION_OPTIONS } from './verify';
export type { Verification } from './verify';
export { exportVerified, ONNX_FILE } from './artifact';
export type { VerifiedExport, VerifiedExportOptions } from './artifact';
