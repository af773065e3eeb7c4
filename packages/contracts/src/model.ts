import { z } from 'zod';
import { columnSchema, datasetProfileSchema } from './dataset';
import {
  aliasNameSchema,
  idSchema,
  isoDateSchema,
  resourceNameSchema,
  sha256Schema,
} from './names';
import { platformMetricsSchema } from './evaluation';
import { versionModelTestsSchema } from './model-tests';
import { preprocessingSchema } from './preprocessing';
import { tensorSignatureSchema } from './tensor';
import {
  backendNameSchema,
  hyperparametersSchema,
  metricsSchema,
  modelPresetSchema,
  taskSchema,
} from './training';

/** A file of a model bundle, stored content-addressed in the artifact store. */
export const bundleFileSchema = z.object({
  /** Logical name inside the bundle, e.g. `model.json`, `weights.bin`, `profile.json`. */
  path: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,127}$/, 'must be a plain file name'),
  sha256: sha256Schema,
  size: z.number().int().nonnegative(),
});
export type BundleFile = z.infer<typeof bundleFileSchema>;

/**
 * The input and output contract of a model: what a predict request must contain. A tabular
 * model has named scalar `inputs`; a tensor model (images, several inputs) has `tensors` and no
 * scalar inputs. Signatures stored before tensors existed parse unchanged.
 */
export const signatureSchema = z
  .object({
    inputs: z.array(columnSchema),
    output: z.discriminatedUnion('task', [
      z.object({
        task: z.literal('classification'),
        target: z.string(),
        labels: z.array(z.string()).min(2),
      }),
      z.object({ task: z.literal('regression'), target: z.string() }),
    ]),
    tensors: tensorSignatureSchema.optional(),
  })
  .superRefine((s, ctx) => {
    if (!s.tensors && s.inputs.length === 0)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['inputs'],
        message: 'a model needs scalar inputs or tensor inputs (tensors.inputs)',
      });
    if (s.tensors && s.inputs.length > 0)
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['inputs'],
        message:
          'a tensor model takes its inputs from tensors.inputs; scalar inputs beside them are not supported yet',
      });
  });
export type Signature = z.infer<typeof signatureSchema>;

export const lineageSchema = z.object({
  runId: idSchema.nullable(),
  datasetId: idSchema.nullable(),
  datasetHash: z.string().nullable(),
  /** Git revision of the code that trained the model, or `unknown`. */
  codeRevision: z.string().max(100),
  preset: modelPresetSchema.nullable(),
  hyperparameters: hyperparametersSchema.nullable(),
  seed: z.number().int().nullable(),
  backend: backendNameSchema.nullable(),
  tfjsVersion: z.string().max(40).nullable(),
  /**
   * A transfer run's base: the registered version it started from and `sha256`, the hash of
   * its files (see `bundleFilesHash`): the same hash means the same topology and weights.
   */
  base: z
    .object({
      model: resourceNameSchema,
      version: z.number().int().positive(),
      sha256: z.string().regex(/^[a-f0-9]{64}$/),
    })
    .optional(),
  /**
   * Columns of the dataset the run left out of its default features (no spec.features), each
   * with the reason from the dataset's inference report (a date, an identifier, free text).
   */
  skippedFeatures: z.record(z.string(), z.string()).optional(),
});
export type Lineage = z.infer<typeof lineageSchema>;

/**
 * The lineage of a model the platform did not train (an import, a test fixture): no run, no
 * dataset, no hyperparameters; `codeRevision` says where it came from.
 */
export function externalLineage(codeRevision = 'unknown'): Lineage {
  return {
    runId: null,
    datasetId: null,
    datasetHash: null,
    codeRevision,
    preset: null,
    hyperparameters: null,
    seed: null,
    backend: null,
    tfjsVersion: null,
  };
}

/** An ONNX tensor element type, as ONNX's TensorProto.DataType names it (lower case). */
export const onnxElementTypeSchema = z.enum([
  'float32',
  'float64',
  'float16',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
]);
export type OnnxElementType = z.infer<typeof onnxElementTypeSchema>;

/** One input or output of an ONNX graph: a dimension is a size, or a symbolic name (`batch`). */
export const onnxValueInfoSchema = z.object({
  name: z.string().min(1).max(200),
  elementType: onnxElementTypeSchema,
  shape: z.array(z.union([z.number().int().nonnegative(), z.string().max(100)])).max(8),
});
export type OnnxValueInfo = z.infer<typeof onnxValueInfoSchema>;

/**
 * A bundle's ONNX graph. `primary` is true when the graph IS the model (imported from PyTorch,
 * scikit-learn…: the bundle has no model.json) and false when it is an export of the bundle's
 * TF.js model (the trainer's presets), which stays the source of truth and the fallback: serving
 * runs an export on ONNX Runtime only if `verification` shows it gave TF.js's answers.
 */
export const onnxArtifactSchema = z.object({
  /** The bundle file holding the graph (`model.onnx`). */
  file: z.string().min(1).max(200),
  opsetVersion: z.number().int().positive(),
  /** `producer_name producer_version` from the ModelProto, e.g. `pytorch 2.3.0`, `skl2onnx 1.17`. */
  producer: z.string().max(200),
  inputs: z.array(onnxValueInfoSchema).min(1).max(64),
  outputs: z.array(onnxValueInfoSchema).min(1).max(64),
  primary: z.boolean(),
  /** For an export: the largest |ONNX − TF.js| over `rows` held-out rows, and the tolerance. */
  verification: z
    .object({
      rows: z.number().int().nonnegative(),
      maxAbsDiff: z.number().nonnegative(),
      tolerance: z.number().positive(),
    })
    .optional(),
});
export type OnnxArtifact = z.infer<typeof onnxArtifactSchema>;

export const BUNDLE_FORMAT_VERSION = 1;

/**
 * The text whose sha256 identifies a bundle's content: one `path sha256` line per file, sorted
 * by path (hashing it needs a crypto library; the contracts stay free of I/O and Node APIs).
 */
export function bundleFilesDigestText(files: ReadonlyArray<{ path: string; sha256: string }>) {
  return [...files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => `${f.path} ${f.sha256}\n`)
    .join('');
}

/**
 * The manifest of a model bundle (`manifest.json` is not itself a file of the bundle: it is the
 * version's record). Serving needs nothing but this and the listed files to answer raw records.
 * Required files: `model.json` (TF.js topology + weightsManifest) and the weight shards it names
 * — or, for a model imported from ONNX (`onnx.primary`), the graph file instead — and `profile.json` (a DatasetProfile of the training split's features, for monitoring); an
 * image run writes `drift-reference.json` (tensor.ts: its training images' summaries) instead.
 */
export const bundleManifestSchema = z
  .object({
    formatVersion: z.literal(BUNDLE_FORMAT_VERSION),
    task: taskSchema,
    signature: signatureSchema,
    preprocessing: preprocessingSchema,
    metrics: metricsSchema,
    lineage: lineageSchema,
    files: z.array(bundleFileSchema).min(1),
    /** The bundle's ONNX graph, when it has one (imported ONNX model, or an export). */
    onnx: onnxArtifactSchema.optional(),
  })
  .superRefine((m, ctx) => {
    if (m.onnx) {
      const onnxFile = m.onnx.file;
      if (!m.files.some((f) => f.path === onnxFile))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['onnx', 'file'],
          message: `${onnxFile} is not a file of the bundle`,
        });
      // A primary graph is the whole model: a model.json beside it would be a second model.
      if (m.onnx.primary && m.files.some((f) => f.path === 'model.json'))
        ctx.addIssue({
          code: z.ZodIssueCode.custom,
          path: ['onnx', 'primary'],
          message: 'a bundle whose ONNX graph is the model (primary) has no model.json',
        });
    }
    // A tabular model's preprocessing encodes its scalar inputs; a tensor model's is empty
    // (its decoding lives in signature.tensors) and only carries the target.
    const tabular = !m.signature.tensors;
    if (tabular && (m.preprocessing.features.length === 0 || m.preprocessing.inputWidth === 0))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['preprocessing', 'features'],
        message: 'a model with scalar inputs needs at least one feature transform',
      });
    if (!tabular && (m.preprocessing.features.length > 0 || m.preprocessing.inputWidth !== 0))
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['preprocessing', 'features'],
        message: 'a tensor model has no scalar feature transforms (inputWidth 0)',
      });
  });
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** The training profile stored as `profile.json` in every bundle. */
export const trainingProfileSchema = datasetProfileSchema;

export const modelSchema = z.object({
  name: resourceNameSchema,
  description: z.string().max(2_000),
  latestVersion: z.number().int().nonnegative(),
  aliases: z.record(aliasNameSchema, z.number().int().positive()),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type Model = z.infer<typeof modelSchema>;

export const modelVersionSchema = z.object({
  model: resourceNameSchema,
  version: z.number().int().positive(),
  manifest: bundleManifestSchema,
  /**
   * What the registering client wrote in `manifest.metrics`: shown, labelled as claimed, never
   * read by the promotion gate when platform metrics exist (or when its policy requires them).
   */
  claimedMetrics: metricsSchema.default({}),
  /** Metrics the platform computed for this version (see evaluation.ts), null until it has. */
  platformMetrics: platformMetricsSchema.nullable().default(null),
  /** Model tests the platform ran at registration (see model-tests.ts), null until it has. */
  modelTests: versionModelTestsSchema.nullable().default(null),
  /** Aliases pointing at this version now. */
  aliases: z.array(aliasNameSchema),
  createdAt: isoDateSchema,
});
export type ModelVersion = z.infer<typeof modelVersionSchema>;

export const aliasSchema = z.object({
  model: resourceNameSchema,
  alias: aliasNameSchema,
  version: z.number().int().positive(),
  updatedAt: isoDateSchema,
});
export type Alias = z.infer<typeof aliasSchema>;
