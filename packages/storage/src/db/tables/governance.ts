import type { Generated, Selectable } from 'kysely';

/** API tokens: only the sha256 of a token is stored; the token itself is shown once. */
export interface ApiTokensTable {
  id: string;
  name: string;
  token_hash: string;
  scopes_json: string;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}
export type ApiTokenRow = Selectable<ApiTokensTable>;

/** One gate per (model, alias); MLflow MetricThreshold semantics (see registry domain/gate). */
export interface PromotionPoliciesTable {
  model: string;
  alias: string;
  metric: string;
  greater_is_better: number;
  threshold: number | null;
  min_absolute_change: number | null;
  min_relative_change: number | null;
  /** 0/1, added by 0102 (default 1): the gate refuses candidates without platform metrics. */
  require_platform_metrics: Generated<number>;
  /** The pinned evaluation dataset (0102), null when the policy pins none. */
  evaluation_dataset_name: Generated<string | null>;
  evaluation_dataset_version: Generated<number | null>;
  /** 0/1 and a bound, added by 0106: the gate's model-test checks (0 and null: off). */
  require_model_tests: Generated<number>;
  min_baseline_lift: Generated<number | null>;
  updated_by: string;
  updated_at: string;
}
export type PromotionPolicyRow = Selectable<PromotionPoliciesTable>;

export interface WebhooksTable {
  id: string;
  url: string;
  /** The HMAC key sealed by the registry (`sealed:v1:…`); clear only in rows not yet sealed. */
  secret_sealed: string;
  event_types_json: string;
  active: number;
  created_at: string;
}
export type WebhookRow = Selectable<WebhooksTable>;

export interface WebhookDeliveriesTable {
  id: string;
  webhook_id: string;
  event_id: string;
  event_type: string;
  /** pending → delivered | failed */
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
