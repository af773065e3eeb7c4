import {
  AppError,
  BUNDLE_FORMAT_VERSION,
  type BundleFile,
  type ErrorDetail,
  type ModelVersion,
  type OnnxArtifact,
  externalLineage,
} from '@mlops/contracts';
import { MODEL_JSON, importedPreprocessing } from '@mlops/ml/bundle';
import {
  ONNX_MAX_FILE_BYTES,
  createOnnxSession,
  onnxTabularProblems,
  readOnnxModel,
  type OnnxModelInfo,
} from '@mlops/ml/onnx';
import type { RegistryDeps } from '../deps';
import { checkedManifest, refuseTensorFields } from './import-manifest';
import {
  PROFILE_JSON,
  checkProfile,
  fetchFiles,
  invalid,
  register,
  signatureOf,
  type ImportInput,
} from './import';
import { importOnnxTensorVersion } from './import-onnx-tensor';

/**
 * The graph file of an ONNX import: exactly one `.onnx`, no model.json (the graph IS the model),
 * nothing else but profile.json; within the size bound, checked before a byte is read.
 */
function graphFile(files: readonly BundleFile[]): BundleFile {
  const graphs = files.filter((f) => f.path.endsWith('.onnx'));
  const problems: ErrorDetail[] = [];
  if (graphs.length > 1)
    problems.push({ path: 'files', message: 'an ONNX import has exactly one .onnx file' });
  for (const [i, f] of files.entries()) {
    if (f.path === MODEL_JSON)
      problems.push({
        path: `files[${i}]`,
        message: `an ONNX import has no ${MODEL_JSON}: import the TF.js model or the graph`,
      });
    else if (!f.path.endsWith('.onnx') && f.path !== PROFILE_JSON)
      problems.push({
        path: `files[${i}]`,
        message: `${f.path} is not part of an ONNX import (only the .onnx file and ${PROFILE_JSON}); external data files are not supported`,
      });
    else if (f.path.endsWith('.onnx') && f.size > ONNX_MAX_FILE_BYTES)
      problems.push({
        path: `files[${i}].size`,
        message: `${f.path} is ${f.size} bytes; at most ${ONNX_MAX_FILE_BYTES} are supported (too large)`,
      });
  }
  if (problems.length > 0) throw invalid('the files of an ONNX import are not usable', problems);
  return graphs[0]!;
}

/** readOnnxModel's refusal, pointed at the file it came from. */
function readGraph(files: readonly BundleFile[], file: BundleFile, bytes: Uint8Array) {
  try {
    return readOnnxModel(bytes);
  } catch (err) {
    if (err instanceof AppError) {
      const at = `files[${files.indexOf(file)}]`;
      throw invalid(`${file.path}: ${err.message}`, [{ path: at, message: err.message }]);
    }
    throw err;
  }
}

export function onnxArtifact(file: string, info: OnnxModelInfo): OnnxArtifact {
  return {
    file,
    opsetVersion: info.opsetVersion,
    producer: info.producer,
    inputs: info.inputs,
    outputs: info.outputs,
    primary: true,
  };
}

/**
 * Register a model exported to ONNX (PyTorch, scikit-learn, TF…) like any version: the graph is
 * stored as is, its inputs and outputs read into the manifest (`onnx`, primary), and it runs
 * once on ONNX Runtime so a graph serving could not run is refused before it exists. With
 * scalar `inputs` the graph takes the encoded features [batch, width]; without, it is a tensor
 * model whose signature is read from the graph.
 */
export async function importOnnxVersion(
  deps: RegistryDeps,
  input: ImportInput,
): Promise<ModelVersion> {
  const file = graphFile(input.files);
  const bytes = await fetchFiles(deps, input.files, {
    path: file.path,
    what: 'the ONNX graph',
  });
  checkProfile(input.files, bytes);
  const info = readGraph(input.files, file, bytes.get(file.path)!);
  if (input.inputs.length === 0)
    return importOnnxTensorVersion(deps, input, file, bytes.get(file.path)!, info);
  refuseTensorFields(input);
  const signature = signatureOf(input);
  const preprocessing = importedPreprocessing(input.inputs, signature);
  const problems = onnxTabularProblems(info.inputs, info.outputs, preprocessing);
  if (problems.length > 0) throw invalid('the graph does not fit the declared signature', problems);

  // One run on a row of zeros: ONNX Runtime loads and executes the graph as serving will.
  const session = await createOnnxSession(bytes.get(file.path)!);
  try {
    const width = preprocessing.inputWidth;
    const expected =
      signature.output.task === 'classification' ? signature.output.labels.length : 1;
    const x = info.inputs[0]!;
    const out = await session
      .run({
        [x.name]: {
          type: x.elementType === 'float64' ? 'float64' : 'float32',
          data: x.elementType === 'float64' ? new Float64Array(width) : new Float32Array(width),
          dims: [1, width],
        },
      })
      .catch((err: unknown) => {
        const message = err instanceof Error ? err.message : String(err);
        throw invalid(`ONNX Runtime cannot run the graph on one row: ${message}`, [
          { path: 'files', message },
        ]);
      });
    const y = out[info.outputs[0]!.name];
    if (!y || y.data.length !== expected)
      throw invalid('the graph does not fit the declared signature', [
        {
          path: signature.output.task === 'classification' ? 'labels' : 'task',
          message: `one row gave ${y?.data.length ?? 0} values of "${info.outputs[0]!.name}" [${y?.dims.join(', ') ?? ''}], expected ${expected}`,
        },
      ]);
  } finally {
    await session.dispose();
  }
  const manifest = checkedManifest({
    formatVersion: BUNDLE_FORMAT_VERSION,
    task: input.task,
    signature,
    preprocessing,
    metrics: input.metrics ?? {},
    lineage: externalLineage('imported'),
    files: input.files,
    onnx: onnxArtifact(file.path, info),
  });
  return register(deps, input, manifest);
}
