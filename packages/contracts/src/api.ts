import { z } from 'zod';
import { platformEventSchema } from './events';
import { columnSchema, datasetVersionSchema, datasetVersionSummarySchema } from './dataset';
import {
  aliasSchema,
  bundleFileSchema,
  bundleManifestSchema,
  modelSchema,
  modelVersionSchema,
} from './model';
import {
  aliasNameSchema,
  columnNameSchema,
  idSchema,
  resourceNameSchema,
  sha256Schema,
} from './names';
import {
  aliasAuditEntrySchema,
  apiTokenSchema,
  createdTokenSchema,
  gateVerdictSchema,
  promotionPolicySchema,
  signatureCompatibilitySchema,
  storedPromotionPolicySchema,
  tokenIdSchema,
  tokenScopeSchema,
  webhookDeliverySchema,
  webhookSchema,
} from './governance';
import {
  backendNameSchema,
  metricsSchema,
  runProgressSchema,
  runSchema,
  runStatusSchema,
  taskSchema,
  trainingSpecSchema,
} from './training';

/**
 * The registry's tRPC procedures: one input and one output schema each. The registry wires a
 * procedure per entry (`apps/registry/src/trpc/procedures/<group>/<name>.ts`); every other app
 * calls them through `@mlops/client`. `mutation: true` procedures need a bearer token.
 */
const modelRef = z.object({ model: resourceNameSchema });
// Versions are 32-bit integers in the database (Postgres `integer`): larger ones are bad input.
const versionNumber = z.number().int().positive().max(2_147_483_647);
const versionRef = z.object({ model: resourceNameSchema, version: versionNumber });
const listLimit = z.number().int().min(1).max(500).default(100);
/** Search text for names: the name alphabet only (no wildcards, bounded). */
const searchText = z.string().regex(/^[a-z0-9._-]{1,63}$/, 'must be 1-63 characters of a name');

export const registryApi = {
  datasets: {
    list: {
      mutation: false,
      input: z.object({ name: resourceNameSchema.optional(), limit: listLimit }),
      output: z.array(datasetVersionSummarySchema),
    },
    get: {
      mutation: false,
      input: z.object({
        name: resourceNameSchema,
        version: z.number().int().positive().optional(),
      }),
      output: datasetVersionSchema,
    },
    /** By name substring, ordered by name and version; cursor `name@version`. */
    search: {
      mutation: false,
      input: z.object({
        nameContains: searchText.optional(),
        cursor: z
          .string()
          .regex(/^[a-z0-9._-]{1,63}@\d{1,9}$/, 'must be a nextCursor')
          .optional(),
        limit: listLimit,
      }),
      output: z.object({
        items: z.array(datasetVersionSummarySchema),
        nextCursor: z.string().nullable(),
      }),
    },
    /** Scope `admin`. CONFLICT while a queued or running run uses it; its blob goes too. */
    delete: {
      mutation: true,
      input: z.object({ name: resourceNameSchema, version: versionNumber }),
      output: z.object({ deleted: z.boolean(), blobsDeleted: z.number().int() }),
    },
  },
  runs: {
    create: { mutation: true, input: trainingSpecSchema, output: runSchema },
    get: { mutation: false, input: z.object({ id: idSchema }), output: runSchema },
    list: {
      mutation: false,
      input: z.object({
        model: resourceNameSchema.optional(),
        status: runStatusSchema.optional(),
        limit: listLimit,
      }),
      output: z.array(runSchema),
    },
    /** Newest first, by model, status and/or a metric range; cursor `createdAt|id`. */
    search: {
      mutation: false,
      input: z.object({
        model: resourceNameSchema.optional(),
        status: runStatusSchema.optional(),
        metric: z
          .object({
            name: z.string().min(1).max(64),
            min: z.number().optional(),
            max: z.number().optional(),
          })
          .optional(),
        cursor: z
          .string()
          .regex(/^[0-9T:.+Z-]{10,40}\|[A-Za-z0-9_-]{8,64}$/, 'must be a nextCursor')
          .optional(),
        limit: listLimit,
      }),
      output: z.object({ items: z.array(runSchema), nextCursor: z.string().nullable() }),
    },
    /** Called by the trainer when it picks the job up. */
    start: {
      mutation: true,
      input: z.object({ id: idSchema, backend: backendNameSchema }),
      output: runSchema,
    },
    progress: {
      mutation: true,
      input: z.object({ id: idSchema, progress: runProgressSchema }),
      output: z.object({ ok: z.literal(true) }),
    },
    /**
     * Registers nothing itself: the trainer creates the version first, then completes the run.
     * A sweep trial (a run with `parentRunId`) completes without a version: its parent registers
     * the best trial's bundle.
     */
    complete: {
      mutation: true,
      input: z.object({
        id: idSchema,
        metrics: metricsSchema,
        version: z.number().int().positive().optional(),
      }),
      output: runSchema,
    },
    fail: {
      mutation: true,
      input: z.object({ id: idSchema, error: z.string().max(4_000) }),
      output: runSchema,
    },
    /**
     * Queued or running → cancelled: removes a waiting job from the queue and publishes
     * `run.cancelled`, on which the trainer stops within one batch. Its checkpoint is deleted.
     */
    cancel: {
      mutation: true,
      input: z.object({ id: idSchema, reason: z.string().max(1_000).optional() }),
      output: runSchema,
    },
  },
  models: {
    list: { mutation: false, input: z.object({ limit: listLimit }), output: z.array(modelSchema) },
    /** Filter by name substring and/or alias; pass `nextCursor` back as `cursor`. */
    search: {
      mutation: false,
      input: z.object({
        nameContains: searchText.optional(),
        alias: aliasNameSchema.optional(),
        cursor: resourceNameSchema.optional(),
        limit: listLimit,
      }),
      output: z.object({ items: z.array(modelSchema), nextCursor: resourceNameSchema.nullable() }),
    },
    get: { mutation: false, input: z.object({ name: resourceNameSchema }), output: modelSchema },
  },
  versions: {
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
     * version the first one created.
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
     * Bring your own model: register a TF.js model trained elsewhere (layers or graph format).
     * Every file must already be stored (POST /api/blobs); `model.json` must be among them and
     * its weightsManifest must name exactly the other files (`profile.json` aside, optional).
     * The registry writes identity preprocessing from `inputs` (numeric as is, categorical
     * one-hot in `categories` order, boolean 0/1) and checks the model's input and output widths
     * against it (VALIDATION_FAILED naming `inputs` or `labels`). Lineage: `codeRevision:
     * "imported"`, everything else null. Scope `write`.
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
          .min(1)
          .max(2_000),
        /** Classification: output index i ↔ labels[i]. */
        labels: z.array(z.string()).min(2).max(10_000).optional(),
        files: z.array(bundleFileSchema).min(1).max(1_000),
        metrics: metricsSchema.optional(),
        description: z.string().max(2_000).optional(),
      }),
      output: modelVersionSchema,
    },
  },
  aliases: {
    list: { mutation: false, input: modelRef, output: z.array(aliasSchema) },
    /**
     * Create or move an alias; publishes `alias.moved`. Scope `promote`. When a promotion policy
     * exists for the alias the gate runs first and a refusal is PRECONDITION_FAILED with the
     * verdict's numbers in `details`; `force` (scope `admin`) moves anyway. Moving `champion` to
     * a version whose input signature breaks the current champion's needs `acknowledgeBreaking`.
     * Every move is audited with actor, time, from, to, verdict and `reason`.
     */
    set: {
      mutation: true,
      input: versionRef.extend({
        alias: aliasNameSchema,
        force: z.boolean().optional(),
        acknowledgeBreaking: z.boolean().optional(),
        reason: z.string().max(500).optional(),
      }),
      output: aliasSchema.extend({ verdict: gateVerdictSchema.nullable().optional() }),
    },
    delete: {
      mutation: true,
      input: modelRef.extend({ alias: aliasNameSchema, reason: z.string().max(500).optional() }),
      output: z.object({ deleted: z.boolean() }),
    },
    /** Move the alias back to the version it pointed at before its latest move (no gate). */
    rollback: {
      mutation: true,
      input: modelRef.extend({ alias: aliasNameSchema, reason: z.string().max(500).optional() }),
      output: aliasSchema.extend({ from: z.number().int().positive() }),
    },
    /** The audit trail, newest first; pass `nextCursor` back as `cursor` for the next page. */
    history: {
      mutation: false,
      input: modelRef.extend({
        alias: aliasNameSchema.optional(),
        limit: listLimit,
        cursor: z.number().int().positive().optional(),
      }),
      output: z.object({
        items: z.array(aliasAuditEntrySchema),
        nextCursor: z.number().int().nullable(),
      }),
    },
  },
  /** Artifact garbage collection (scope `admin`). */
  artifacts: {
    /**
     * Delete every stored blob nothing refers to (no version, dataset or run), walking the
     * whole store page by page; blobs younger than `minAgeSeconds` are spared (uploaded, not
     * registered yet). `dryRun` only counts.
     */
    gc: {
      mutation: true,
      input: z.object({
        dryRun: z.boolean().default(false),
        minAgeSeconds: z
          .number()
          .int()
          .min(0)
          .max(30 * 86_400)
          .default(3_600),
      }),
      output: z.object({
        scanned: z.number().int(),
        orphans: z.number().int(),
        deleted: z.number().int(),
        bytesFreed: z.number().int(),
      }),
    },
  },
  /** Promotion policies (the evaluation gate of an alias). Setting one needs `admin`. */
  policies: {
    get: {
      mutation: false,
      input: modelRef.extend({ alias: aliasNameSchema.default('champion') }),
      output: storedPromotionPolicySchema.nullable(),
    },
    set: { mutation: true, input: promotionPolicySchema, output: storedPromotionPolicySchema },
    delete: {
      mutation: true,
      input: modelRef.extend({ alias: aliasNameSchema.default('champion') }),
      output: z.object({ deleted: z.boolean() }),
    },
    /** Dry run: what the gate would answer for moving `alias` to `version` now. */
    evaluate: {
      mutation: false,
      input: versionRef.extend({ alias: aliasNameSchema.default('champion') }),
      output: gateVerdictSchema.nullable(),
    },
  },
  /**
   * Outbound webhooks (scope `admin`): POST of the event JSON, signed with header
   * `x-mlops-signature: sha256=<HMAC-SHA256(secret, body)>`, retried with exponential backoff;
   * `eventTypes` are event `type`s or `*`. The secret is returned once by create.
   */
  webhooks: {
    create: {
      mutation: true,
      input: z.object({
        url: z
          .string()
          .url()
          .regex(/^https?:\/\//, 'must be an http(s) URL'),
        eventTypes: z.array(z.string().min(1).max(64)).min(1).max(50),
        secret: z.string().min(16).max(200).optional(),
      }),
      output: webhookSchema.extend({ secret: z.string() }),
    },
    list: { mutation: false, input: z.object({}).default({}), output: z.array(webhookSchema) },
    delete: {
      mutation: true,
      input: z.object({ id: z.string().min(1).max(64) }),
      output: z.object({ deleted: z.boolean() }),
    },
    /** The delivery log of one webhook, newest first. */
    deliveries: {
      mutation: false,
      input: z.object({ id: z.string().min(1).max(64), limit: listLimit }),
      output: z.array(webhookDeliverySchema),
    },
  },
  /** API tokens (scope `admin`). The secret is returned once by create and never stored. */
  tokens: {
    create: {
      mutation: true,
      input: z.object({
        name: z.string().min(1).max(100),
        scopes: z.array(tokenScopeSchema).min(1),
      }),
      output: createdTokenSchema,
    },
    list: { mutation: false, input: z.object({}).default({}), output: z.array(apiTokenSchema) },
    revoke: {
      mutation: true,
      input: z.object({ id: tokenIdSchema }),
      output: z.object({ revoked: z.boolean() }),
    },
  },
  events: {
    recent: {
      mutation: false,
      input: z.object({ limit: listLimit }),
      output: z.array(platformEventSchema),
    },
  },
} as const;

/** Answer of `POST /api/blobs` (streamed upload of one artifact). */
export const blobRefSchema = z.object({
  sha256: sha256Schema,
  size: z.number().int().nonnegative(),
});
export type BlobRef = z.infer<typeof blobRefSchema>;

/** REST routes that stream bodies (tRPC carries JSON only). */
export const REGISTRY_REST = {
  /** POST, body = CSV / JSON array / JSON Lines; query: DatasetUploadQuery. Answers a DatasetVersion. */
  uploadDataset: (name: string) => `/api/datasets/${encodeURIComponent(name)}`,
  /** GET: canonical JSON Lines rows (arrays in schema column order). */
  datasetRows: (name: string, version: number) =>
    `/api/datasets/${encodeURIComponent(name)}/versions/${version}/rows`,
  /** POST, body = bytes; optional header `x-content-sha256` is verified. Answers a BlobRef. */
  uploadBlob: () => '/api/blobs',
  /** GET: the bytes, with header `x-content-sha256`. */
  blob: (sha256: string) => `/api/blobs/${sha256}`,
  trpc: '/trpc',
} as const;

/** Header carrying the expected sha256 of a streamed upload. */
export const CONTENT_SHA256_HEADER = 'x-content-sha256';
