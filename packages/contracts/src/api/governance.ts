import { z } from 'zod';
import { aliasNameSchema } from '../names';
import {
  apiTokenSchema,
  createdTokenSchema,
  gateVerdictSchema,
  principalSchema,
  promotionPolicySchema,
  storedPromotionPolicySchema,
  tokenIdSchema,
  tokenScopeSchema,
  webhookDeliverySchema,
  webhookSchema,
} from '../governance';
import { modelRef, versionRef, listLimit } from './shared';

/** Artifact garbage collection (scope `admin`). */
export const artifactsApi = {
  /**
   * Delete every stored blob nothing refers to (no version, dataset or run), walking the
   * whole store page by page; blobs younger than `minAgeSeconds` are spared (uploaded, not
   * registered yet), and so are blobs written since the oldest run in progress began (a sweep's
   * trial bundles are named by no row until the best is registered). Temp files that killed
   * uploads left are removed too. `dryRun` only counts.
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
      /** Temp files of uploads that died (untouched for an hour) removed, or counted in a dry run. */
      tempFiles: z.number().int(),
      tempBytes: z.number().int(),
    }),
  },
} as const;

/** Promotion policies (the evaluation gate of an alias). Setting one needs `admin`. */
export const policiesApi = {
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
} as const;

/**
 * Outbound webhooks (scope `admin`): POST of the event JSON with `x-mlops-timestamp: <unix s>`
 * and `x-mlops-signature: sha256=<HMAC-SHA256(secret, "${timestamp}.${body}")>`, retried with
 * exponential backoff, never redirected; `eventTypes` are event `type`s or `*`. The URL must
 * resolve to public addresses only (unless allow-listed by MLOPS_WEBHOOK_ALLOW_HOSTS). The
 * secret (generated unless given) is returned once by create and stored sealed.
 */
export const webhooksApi = {
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
} as const;

/** API tokens (scope `admin`). The secret is returned once by create and never stored. */
export const tokensApi = {
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
} as const;

/**
 * Who the caller's token is, and what it may do. Any valid token may ask about itself: serving
 * and the monitor verify their callers' tokens with it (cached), so the registry stays the one
 * place that knows tokens. 401 for a missing, unknown or revoked token.
 */
export const authApi = {
  whoami: { mutation: false, input: z.object({}).strict().default({}), output: principalSchema },
} as const;
