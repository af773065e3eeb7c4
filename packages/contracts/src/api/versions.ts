import { z } from 'zod';
import { columnSchema } from '../dataset';
import { bundleFileSchema, bundleManifestSchema, modelVersionSchema } from '../model';
import { aliasNameSchema, columnNameSchema, idSchema, resourceNameSchema } from '../names';
import { signatureCompatibilitySchema } from '../governance';
import { evaluationSchema } from '../evaluation';
import {
  MAX_TENSOR_IO,
  tensorInputDeclarationSchema,
  tensorOutputDeclarationSchema,
} from '../tensor';
import { metricsSchema, taskSchema } from '../training';
import { modelRef, versionRef, listLimit, versionNumber } from './shared';

export const versionsApi = {
  list: {
    mutation: false,
    input: modelRef.extend({ limit: listLimit }),
    output: z.array(modelVersionSchema),
  },
  get: { mutation: false, input: versionRef, output: modelVersionSchema },
  /** Newest first; `metric` keeps versions whose metric lies in [min, max]. Cursor-paged. */
  search: {
    mutation: false,
    input: modelRef.extend({
      metric: z
        .object({
          name: z.string().min(1).max(64),
          min: z.number().optional(),
          max: z.number().optional(),
        })
        .optional(),
      cursor: z.number().int().positive().optional(),
      limit: listLimit,
    }),
    output: z.object({
      items: z.array(modelVersionSchema),
      nextCursor: z.number().int().nullable(),
    }),
  },
  resolve: {
    mutation: false,
    input: modelRef.extend({ alias: aliasNameSchema }),
    output: modelVersionSchema,
  },
  /** Scope `admin`. CONFLICT while an alias points at it; its now-unreferenced blobs go too. */
  delete: {
    mutation: true,
    input: versionRef,
    output: z.object({ deleted: z.boolean(), blobsDeleted: z.number().int() }),
  },
  /**
   * Input-signature compatibility of a version: as recorded at registration (against the
   * champion then), or against the version `alias` points at now when `alias` is given.
   */
  compatibility: {
    mutation: false,
    input: versionRef.extend({ alias: aliasNameSchema.optional() }),
    output: signatureCompatibilitySchema.nullable(),
  },
  /**
   * Every file of the manifest must already be stored (POST /api/blobs) with that sha256 and
   * size. `runId` makes registration idempotent: a second call for the same run returns the
   * version the first one created; registering under a `runId` needs the `train` scope. The
   * manifest's `metrics` are the client's claim (`claimedMetrics`): gates read platform metrics.
   */
  create: {
    mutation: true,
    input: modelRef.extend({
      manifest: bundleManifestSchema,
      runId: idSchema.nullable().default(null),
    }),
    output: modelVersionSchema,
  },
  /**
   * Platform metrics for a version: enqueue a re-evaluation of it on a registered dataset
   * version (default: its latest), run by the trainer. The dataset must have the version's input
   * columns and its target. When it completes, its metrics become the version's platform
   * metrics (what promotion gates read). Scope `write`.
   */
  evaluate: {
    mutation: true,
    input: versionRef
      .extend({
        dataset: z.object({ name: resourceNameSchema, version: versionNumber.optional() }).strict(),
      })
      .strict(),
    output: evaluationSchema,
  },
  /**
   * Bring your own model: register a TF.js model trained elsewhere (layers or graph format).
   * Every file must already be stored (POST /api/blobs); `model.json` must be among them and
   * its weightsManifest must name exactly the other files (`profile.json` aside, optional).
   * Tabular (`inputs` given): the registry writes identity preprocessing from `inputs` (numeric
   * as is, categorical one-hot in `categories` order, boolean 0/1) and checks the model's input
   * and output widths against it (VALIDATION_FAILED naming `inputs` or `labels`).
   * Tensor (`inputs` empty or absent): the signature's named inputs and outputs are read from the
   * model; `tensorInputs` declares shapes it leaves open or an image decoding, `outputs` roles;
   * classification labels default to "0".."N-1". The model is run once on zeros of the declared
   * shapes; a mismatch is VALIDATION_FAILED naming the input and both shapes.
   * Lineage: `codeRevision: "imported"`, everything else null. Scope `write`.
   */
  import: {
    mutation: true,
    input: modelRef.extend({
      task: taskSchema,
      target: columnNameSchema,
      inputs: z
        .array(
          columnSchema.extend({
            /** Value used for a missing cell (default 0, the first category, false). */
            impute: z.union([z.number(), z.string(), z.boolean()]).optional(),
          }),
        )
        .max(2_000)
        .default([]),
      /** Tensor models: declarations of inputs (by name; omitted when there is one). */
      tensorInputs: z.array(tensorInputDeclarationSchema).max(MAX_TENSOR_IO).optional(),
      /** Tensor models: roles of outputs (default: the first is probabilities or value). */
      outputs: z.array(tensorOutputDeclarationSchema).max(MAX_TENSOR_IO).optional(),
      /** Classification: output index i ↔ labels[i]. */
      labels: z.array(z.string()).min(2).max(10_000).optional(),
      files: z.array(bundleFileSchema).min(1).max(1_000),
      metrics: metricsSchema.optional(),
      description: z.string().max(2_000).optional(),
    }),
    output: modelVersionSchema,
  },
} as const;
