import { z } from 'zod';
import { metricSourceSchema } from './evaluation';
import { aliasNameSchema, isoDateSchema, resourceNameSchema } from './names';

/**
 * Registry governance: API tokens and scopes, promotion policies (the evaluation gate), the
 * alias audit trail, signature compatibility and webhooks. Procedures using these live in
 * `registryApi` (api.ts); the schemas are here so api.ts stays a table of procedures.
 */

/**
 * What a token may do. `admin` implies every other scope; `write`, `promote` and `train` imply
 * `read`. `predict` and `feedback` imply nothing else: a client that only calls serving, or a
 * labelling tool that only posts ground truth, cannot read training data or models.
 * - `read`: registry reads (datasets and their rows, models, versions, blobs), monitor reports;
 * - `write`: dataset and blob uploads, runs, imported versions;
 * - `promote`: move aliases (through the gate);
 * - `train`: the platform's trainer — start, report and complete runs, register their versions.
 *   Metrics recorded by a `train` principal are *platform-computed*; any other are *claimed*;
 * - `predict`: call serving; the principal is logged with each prediction;
 * - `feedback`: post ground truth to the monitor, for predictions served to the same principal;
 * - `admin`: tokens, policies, webhooks, forced moves, garbage collection.
 */
export const TOKEN_SCOPES = [
  'read',
  'write',
  'promote',
  'admin',
  'predict',
  'feedback',
  'train',
] as const;
export const tokenScopeSchema = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof tokenScopeSchema>;

const IMPLIES_READ: ReadonlySet<TokenScope> = new Set(['read', 'write', 'promote', 'train']);

/** Whether a token holding `scopes` may do what `needed` allows (the one rule every app uses). */
export function scopesAllow(scopes: readonly TokenScope[], needed: TokenScope): boolean {
  if (scopes.includes('admin')) return true;
  if (needed === 'read') return scopes.some((s) => IMPLIES_READ.has(s));
  return scopes.includes(needed);
}

/**
 * Who is calling: the bootstrap admin, a platform service (`service:<name>`, token derived from
 * the admin token) or a stored API token (`token:<name>`). `name` is what audits record.
 */
export const principalSchema = z.object({
  name: z.string().min(1).max(120),
  tokenId: z.string().nullable(),
  scopes: z.array(tokenScopeSchema),
});
export type Principal = z.infer<typeof principalSchema>;

/**
 * The platform's own services and what each may do with its derived token. The supervisors
 * (`npm start`, the demo, the test harness) give each app its own token so its actions are
 * audited as `service:<name>`, never as `admin`.
 */
export const SERVICE_SCOPES = {
  // promote: its pipeline worker runs deploy (set-alias) steps; the alias's promotion policy
  // still gates each move, and starting a pipeline with such a step needs promote itself.
  trainer: ['read', 'write', 'train', 'promote'],
  serving: ['read'],
  // train: a retraining policy may name a pipeline, and starting one needs train.
  monitor: ['read', 'write', 'train', 'promote'],
  web: ['read'],
} as const satisfies Record<string, readonly TokenScope[]>;
export type ServiceName = keyof typeof SERVICE_SCOPES;
export const SERVICE_NAMES = Object.keys(SERVICE_SCOPES) as ServiceName[];

export const tokenIdSchema = z.string().regex(/^tok_[A-Za-z0-9_-]{8,40}$/, 'must be a token id');

export const apiTokenSchema = z.object({
  id: tokenIdSchema,
  name: z.string().min(1).max(100),
  scopes: z.array(tokenScopeSchema).min(1),
  createdBy: z.string(),
  createdAt: isoDateSchema,
  revokedAt: isoDateSchema.nullable(),
});
export type ApiToken = z.infer<typeof apiTokenSchema>;

/** Answer of tokens.create: the only time the secret is shown. */
export const createdTokenSchema = apiTokenSchema.extend({ token: z.string() });

const finite = z.number().finite();

/**
 * MLflow `MetricThreshold` semantics against the version the alias points at now (the baseline):
 * - `threshold`: candidate >= threshold (or <= when lower is better);
 * - `minAbsoluteChange`: candidate >= baseline + change (or <= baseline − change);
 * - `minRelativeChange`: candidate >= baseline × (1 + change) (or <= baseline × (1 − change)).
 * Without a baseline (the alias is new) only `threshold` applies.
 *
 * The gate reads a version's platform-computed metrics (its training run's held-out evaluation,
 * or a re-evaluation with `versions.evaluate`). `requirePlatformMetrics` (default true) refuses
 * a candidate that has none; when false, a candidate without them is judged on the metrics its
 * client claimed, and the verdict says so (`source: "claimed"`).
 *
 * `evaluationDataset` pins the benchmark: the gate then reads only metrics of an evaluation on
 * that dataset version (pinned at `policies.set`, latest when no version is given), for the
 * candidate and the baseline alike — so a `write` token cannot earn a pass by evaluating on a
 * dataset it uploaded, and candidates are compared on the same rows. Implies platform metrics.
 *
 * `requireModelTests` refuses a candidate without the platform's model tests (model-tests.ts)
 * or with any failed one; `minBaselineLift` refuses one whose lift over its strongest baseline
 * (accuracy or r2 minus the baseline's, on the same held-out split) is below the bound.
 */
export const promotionPolicySchema = z
  .object({
    model: resourceNameSchema,
    alias: aliasNameSchema.default('champion'),
    metric: z.string().min(1).max(64),
    greaterIsBetter: z.boolean(),
    threshold: finite.nullable().default(null),
    minAbsoluteChange: finite.nonnegative().nullable().default(null),
    minRelativeChange: finite.nonnegative().nullable().default(null),
    requirePlatformMetrics: z.boolean().default(true),
    evaluationDataset: z
      .object({
        name: resourceNameSchema,
        version: z.number().int().positive().max(2_147_483_647).optional(),
      })
      .strict()
      .nullable()
      .default(null),
    requireModelTests: z.boolean().default(false),
    minBaselineLift: z.number().min(-1).max(1).nullable().default(null),
  })
  .strict()
  .refine(
    (p) =>
      p.threshold !== null ||
      p.minAbsoluteChange !== null ||
      p.minRelativeChange !== null ||
      p.requireModelTests ||
      p.minBaselineLift !== null,
    {
      message:
        'set at least one of threshold, minAbsoluteChange, minRelativeChange, requireModelTests, minBaselineLift',
    },
  );
export type PromotionPolicyInput = z.input<typeof promotionPolicySchema>;

export const storedPromotionPolicySchema = z.object({
  model: resourceNameSchema,
  alias: aliasNameSchema,
  metric: z.string(),
  greaterIsBetter: z.boolean(),
  threshold: z.number().nullable(),
  minAbsoluteChange: z.number().nullable(),
  minRelativeChange: z.number().nullable(),
  requirePlatformMetrics: z.boolean(),
  /** The pinned benchmark (null: any platform metrics of the version). */
  evaluationDataset: z
    .object({ name: resourceNameSchema, version: z.number().int().positive() })
    .nullable()
    .default(null),
  requireModelTests: z.boolean().default(false),
  minBaselineLift: z.number().nullable().default(null),
  updatedBy: z.string(),
  updatedAt: isoDateSchema,
});
export type PromotionPolicy = z.infer<typeof storedPromotionPolicySchema>;

export const gateCheckSchema = z.object({
  name: z.enum([
    'platform_metrics',
    'metric_present',
    'threshold',
    'min_absolute_change',
    'min_relative_change',
    'model_tests',
    'min_baseline_lift',
  ]),
  passed: z.boolean(),
  /** The bound the candidate had to reach (null for metric_present). */
  required: z.number().nullable(),
  actual: z.number().nullable(),
  /** model_tests: the failed tests, by name (or why there are none to read). */
  detail: z.string().max(2_000).optional(),
});
export type GateCheck = z.infer<typeof gateCheckSchema>;

/** What the gate answered for one move. */
export const gateVerdictSchema = z.object({
  passed: z.boolean(),
  metric: z.string(),
  greaterIsBetter: z.boolean(),
  candidateVersion: z.number().int().positive(),
  candidate: z.number().nullable(),
  baselineVersion: z.number().int().positive().nullable(),
  baseline: z.number().nullable(),
  /**
   * Where `candidate` was read: platform-computed metrics, the client's claim (only when the
   * policy does not require platform metrics), or none. Verdicts recorded before sources
   * existed read claimed metrics.
   */
  source: metricSourceSchema.default('claimed'),
  baselineSource: metricSourceSchema.default('claimed'),
  /** The candidate's claimed value of the metric, shown beside the one the gate read. */
  claimed: z.number().nullable().default(null),
  /** What produced the platform metrics read, e.g. `run 3f…` or `evaluation … on iris v1`. */
  platformSource: z.string().nullable().default(null),
  /** The benchmark the policy pins, when it does: only evaluations on it were read. */
  evaluationDataset: z
    .object({ name: z.string(), version: z.number().int().positive() })
    .nullable()
    .default(null),
  checks: z.array(gateCheckSchema),
});
export type GateVerdict = z.infer<typeof gateVerdictSchema>;

/**
 * What a request written for the reference version gets from the candidate:
 * - `none`: answered as before (200);
 * - `refused`: 400 VALIDATION_FAILED naming the feature (for a removed category: with
 *   SERVING_UNKNOWN_CATEGORY=error, the default; otherwise imputed and answered);
 * - `answer_changed`: 200, but the answer means something else (task, target or labels).
 */
export const signatureChangeEffectSchema = z.enum(['none', 'refused', 'answer_changed']);
export type SignatureChangeEffect = z.infer<typeof signatureChangeEffectSchema>;

export const signatureChangeSchema = z.object({
  kind: z.enum([
    'removed',
    'retyped',
    'added_required',
    'added_optional',
    'nullability',
    'category_added',
    'category_removed',
    'output',
  ]),
  feature: z.string(),
  message: z.string(),
  /** Absent in records stored before it: then every kind but `added_optional` was breaking. */
  effect: signatureChangeEffectSchema.optional(),
});

/**
 * A version's input signature compared with another version's (normally the champion):
 * `breaking` when any change's effect is not `none`.
 */
export const signatureCompatibilitySchema = z.object({
  against: z
    .object({ alias: aliasNameSchema.nullable(), version: z.number().int().positive() })
    .nullable(),
  breaking: z.boolean(),
  changes: z.array(signatureChangeSchema),
});
export type SignatureCompatibility = z.infer<typeof signatureCompatibilitySchema>;

/** One entry of the alias audit trail. */
export const aliasAuditEntrySchema = z.object({
  id: z.number().int(),
  model: resourceNameSchema,
  alias: aliasNameSchema,
  from: z.number().int().nullable(),
  to: z.number().int().nullable(),
  actor: z.string(),
  at: isoDateSchema,
  verdict: gateVerdictSchema.nullable(),
  reason: z.string().nullable(),
  forced: z.boolean(),
});
export type AliasAuditEntry = z.infer<typeof aliasAuditEntrySchema>;

/** `sha256=<hex HMAC-SHA256(secret, "${timestamp}.${body}")>` (see @mlops/webhooks). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-mlops-signature';
/** Unix seconds of the attempt, covered by the signature: receivers refuse old ones. */
export const WEBHOOK_TIMESTAMP_HEADER = 'x-mlops-timestamp';
export const WEBHOOK_EVENT_HEADER = 'x-mlops-event';
export const WEBHOOK_DELIVERY_HEADER = 'x-mlops-delivery';

export const webhookSchema = z.object({
  id: z.string(),
  url: z.string().url(),
  eventTypes: z.array(z.string()),
  active: z.boolean(),
  createdAt: isoDateSchema,
});
export type Webhook = z.infer<typeof webhookSchema>;

export const webhookDeliverySchema = z.object({
  id: z.string(),
  webhookId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number().int(),
  lastStatusCode: z.number().int().nullable(),
  lastError: z.string().nullable(),
  createdAt: isoDateSchema,
  updatedAt: isoDateSchema,
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;
