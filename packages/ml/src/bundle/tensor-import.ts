import {
  tensorDtypeSchema,
  tensorShapeProblems,
  type ErrorDetail,
  type Task,
  type TensorDtype,
  type TensorInput,
  type TensorInputDeclaration,
  type TensorOutput,
  type TensorOutputDeclaration,
  type TensorOutputRole,
  type TensorSignature,
} from '@mlops/contracts';
import { getTf } from '../backend/backend';
import { tfDtype, type TensorModel, type TensorSpec } from './tensor-model';

/** What the import declares beside the files; everything else is read from the model. */
export interface TensorImportRequest {
  task: Task;
  inputs?: readonly TensorInputDeclaration[] | undefined;
  outputs?: readonly TensorOutputDeclaration[] | undefined;
  labels?: readonly string[] | undefined;
}

export type TensorImportResult =
  | { ok: true; signature: TensorSignature; labels: string[] | null }
  | { ok: false; problems: ErrorDetail[] };

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

function dtypeOf(raw: string): TensorDtype | null {
  const parsed = tensorDtypeSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** Which declaration (index) describes each model input; problems for names the model lacks. */
function matchDeclarations(
  specs: readonly TensorSpec[],
  declared: readonly TensorInputDeclaration[],
  problems: ErrorDetail[],
): Map<number, number> {
  const byInput = new Map<number, number>();
  const names = specs.map((s) => s.name);
  for (const [i, decl] of declared.entries()) {
    const at = decl.name === undefined ? (specs.length === 1 ? 0 : -1) : names.indexOf(decl.name);
    if (at < 0) {
      problems.push({
        path: `tensorInputs[${i}].name`,
        message:
          decl.name === undefined
            ? `the model has ${specs.length} inputs (${names.join(', ')}): name the one you declare`
            : `the model has no input "${decl.name}"; its inputs are ${names.join(', ')}`,
      });
    } else if (byInput.has(at)) {
      problems.push({
        path: `tensorInputs[${i}].name`,
        message: `input "${names[at]}" is declared twice`,
      });
    } else byInput.set(at, i);
  }
  return byInput;
}

/**
 * One model input resolved: the declared shape (or image size) must agree with every dimension
 * the model file states; dimensions it leaves unknown must be declared.
 */
function resolveInput(
  spec: TensorSpec,
  decl: TensorInputDeclaration | undefined,
  at: string | null,
  problems: ErrorDetail[],
): TensorInput | null {
  const where = (field: string): string => (at === null ? 'files' : `${at}.${field}`);
  const before = problems.length;
  const modelDtype = dtypeOf(spec.dtype);
  if (!modelDtype)
    problems.push({
      path: 'files',
      message: `input "${spec.name}" has dtype ${spec.dtype}; supported: ${tensorDtypeSchema.options.join(', ')}`,
    });
  // uint8 is declared for 0–255 integers; TF.js runs them as int32.
  if (decl?.dtype && modelDtype && tfDtype(decl.dtype) !== modelDtype)
    problems.push({
      path: where('dtype'),
      message: `input "${spec.name}": the model expects ${modelDtype}, declared ${decl.dtype}`,
    });
  const dtype = decl?.dtype ?? modelDtype;

  const image = decl?.image;
  const imageShape = image ? [-1, image.height, image.width, image.channels] : undefined;
  if (imageShape && decl?.shape && fmt(decl.shape) !== fmt(imageShape))
    problems.push({
      path: where('shape'),
      message: `input "${spec.name}": the image decodes to ${fmt(imageShape)}, the shape says ${fmt(decl.shape)}`,
    });
  const declared = imageShape ?? decl?.shape;
  const known = spec.shape.length > 0;
  if (declared && known) {
    const mismatch =
      declared.length !== spec.shape.length ||
      spec.shape.some((d, k) => k > 0 && d >= 0 && d !== declared[k]);
    if (mismatch)
      problems.push({
        path: where(image ? 'image' : 'shape'),
        message: `input "${spec.name}": the model expects ${fmt(spec.shape)}, declared ${fmt(declared)}`,
      });
  }
  const shape = declared ? [...declared] : known ? [-1, ...spec.shape.slice(1)] : null;
  if (!shape) {
    problems.push({
      path: at ?? 'tensorInputs',
      message: `input "${spec.name}" has no shape in the model file: declare it (shape or image)`,
    });
  } else {
    for (const message of tensorShapeProblems(spec.name, shape))
      problems.push({
        path: declared ? where(image ? 'image' : 'shape') : 'tensorInputs',
        message: declared ? message : `${message} (read from the model file)`,
      });
  }
  if (problems.length > before || !shape || !dtype) return null;
  return image
    ? { kind: 'image', name: spec.name, dtype, shape, decoding: image }
    : { kind: 'tensor', name: spec.name, dtype, shape };
}

/** Zeros of every input, batch 1, run once: the output shapes, or the model's own complaint. */
function dryRun(model: TensorModel, inputs: readonly TensorInput[]): DryRun {
  const tf = getTf();
  try {
    return tf.tidy(() => {
      const feeds = inputs.map((input) =>
        tf.zeros([1, ...input.shape.slice(1)], tfDtype(input.dtype)),
      );
      const outs = model.run(feeds);
      return { shapes: outs.map((t) => [...t.shape]), dtypes: outs.map((t) => t.dtype) };
    });
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

function defaultRole(task: Task, index: number): TensorOutputRole {
  if (index > 0) return 'other';
  return task === 'classification' ? 'probabilities' : 'value';
}

/** Role of each model output: declared by name, else by position, else from the task. */
function outputRoles(
  specs: readonly TensorSpec[],
  declared: readonly TensorOutputDeclaration[],
  task: Task,
  problems: ErrorDetail[],
): TensorOutputRole[] {
  const roles = specs.map((_, i) => defaultRole(task, i));
  const names = specs.map((s) => s.name);
  for (const [i, decl] of declared.entries()) {
    const at = decl.name === undefined ? i : names.indexOf(decl.name);
    if (at < 0 || at >= specs.length)
      problems.push({
        path: `outputs[${i}]${decl.name === undefined ? '' : '.name'}`,
        message: `the model has no output ${decl.name === undefined ? `#${i}` : `"${decl.name}"`}; its outputs are ${names.join(', ')}`,
      });
    else roles[at] = decl.role;
  }
  return roles;
}

/**
 * Read a tensor model's signature from the model itself, apply what the import declares, and
 * check it by running the model once on zeros of the resolved shapes. Problems name the import
 * field to fix (`tensorInputs[i].shape`, `labels`, `files`, …); none means the model fits.
 */
export function resolveTensorSignature(
  model: TensorModel,
  request: TensorImportRequest,
): TensorImportResult {
  const declared = resolveDeclared(model, request);
  if (!declared.ok) return declared;
  return finishSignature(model, request, declared, dryRun(model, declared.inputs));
}

/** What a dry run on zeros of every input (batch 1) gave: output shapes and dtypes, or why not. */
export type DryRun = { shapes: number[][]; dtypes: string[] } | { error: string };

/**
 * resolveTensorSignature for a model another engine runs (ONNX Runtime, asynchronous): the
 * model's named tensors as specs, and `run` making the dry run on zeros of the resolved inputs.
 */
export async function resolveTensorSignatureWith(
  specs: Pick<TensorModel, 'inputs' | 'outputs'>,
  request: TensorImportRequest,
  run: (inputs: readonly TensorInput[]) => Promise<DryRun>,
): Promise<TensorImportResult> {
  const declared = resolveDeclared(specs, request);
  if (!declared.ok) return declared;
  return finishSignature(specs, request, declared, await run(declared.inputs));
}

type Declared =
  | { ok: true; inputs: TensorInput[]; roles: TensorOutputRole[] }
  | { ok: false; problems: ErrorDetail[] };

/** The inputs as the file and the declarations make them, and each output's role. */
function resolveDeclared(
  model: Pick<TensorModel, 'inputs' | 'outputs'>,
  request: TensorImportRequest,
): Declared {
  const problems: ErrorDetail[] = [];
  const declared = request.inputs ?? [];
  const byInput = matchDeclarations(model.inputs, declared, problems);
  const inputs: TensorInput[] = [];
  for (const [k, spec] of model.inputs.entries()) {
    const d = byInput.get(k);
    const input = resolveInput(
      spec,
      d === undefined ? undefined : declared[d],
      d === undefined ? null : `tensorInputs[${d}]`,
      problems,
    );
    if (input) inputs.push(input);
  }
  const roles = outputRoles(model.outputs, request.outputs ?? [], request.task, problems);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, inputs, roles };
}

/** The outputs read from the dry run, and the labels: the signature, or what is wrong. */
function finishSignature(
  model: Pick<TensorModel, 'inputs' | 'outputs'>,
  request: TensorImportRequest,
  { inputs, roles }: { inputs: TensorInput[]; roles: TensorOutputRole[] },
  run: DryRun,
): TensorImportResult {
  const problems: ErrorDetail[] = [];
  const declared = request.inputs ?? [];
  if ('error' in run)
    return {
      ok: false,
      problems: [
        {
          path: declared.length > 0 ? 'tensorInputs' : 'files',
          message: `the model cannot run on ${inputs.map((i) => `"${i.name}" ${fmt([1, ...i.shape.slice(1)])}`).join(', ')}: ${run.error}`,
        },
      ],
    };

  const outputs: TensorOutput[] = [];
  for (const [k, spec] of model.outputs.entries()) {
    const shape = run.shapes[k] ?? [];
    const dtype = dtypeOf(run.dtypes[k] ?? spec.dtype);
    if (shape.length === 0 || shape[0] !== 1 || !dtype) {
      problems.push({
        path: 'files',
        message: `output "${spec.name}" is ${run.dtypes[k]} ${fmt(shape)} for a batch of 1; expected a supported dtype with the batch first`,
      });
      continue;
    }
    outputs.push({ name: spec.name, dtype, shape: [-1, ...shape.slice(1)], role: roles[k]! });
  }
  if (problems.length > 0) return { ok: false, problems };

  if (request.task === 'regression') {
    if (request.labels)
      return { ok: false, problems: [{ path: 'labels', message: 'only for classification' }] };
    return { ok: true, signature: { inputs, outputs }, labels: null };
  }
  const scores = outputs.find((o) => o.role === 'probabilities' || o.role === 'logits');
  if (!scores)
    return {
      ok: false,
      problems: [
        {
          path: 'outputs',
          message: 'a classification model needs an output with role probabilities or logits',
        },
      ],
    };
  const classes = scores.shape.length === 2 ? (scores.shape[1] ?? 0) : 0;
  if (classes < 2)
    return {
      ok: false,
      problems: [
        {
          path: 'outputs',
          message: `output "${scores.name}" is ${fmt(scores.shape)}; class scores must be [-1, classes] with at least 2 classes`,
        },
      ],
    };
  const labels = request.labels
    ? [...request.labels]
    : Array.from({ length: classes }, (_, i) => String(i));
  if (labels.length !== classes)
    return {
      ok: false,
      problems: [
        {
          path: 'labels',
          message: `output "${scores.name}" has ${classes} classes, ${labels.length} labels given`,
        },
      ],
    };
  return { ok: true, signature: { inputs, outputs }, labels };
}
