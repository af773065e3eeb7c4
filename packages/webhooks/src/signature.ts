import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  WEBHOOK_DELIVERY_HEADER,
  WEBHOOK_EVENT_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
} from '@mlops/contracts';

export const SIGNATURE_HEADER = WEBHOOK_SIGNATURE_HEADER;
export const TIMESTAMP_HEADER = WEBHOOK_TIMESTAMP_HEADER;
export const EVENT_HEADER = WEBHOOK_EVENT_HEADER;
export const DELIVERY_HEADER = WEBHOOK_DELIVERY_HEADER;

/**
 * `sha256=<hex HMAC-SHA256(secret, "${timestamp}.${body}")>`, timestamp in Unix seconds sent in
 * `x-mlops-timestamp`. Binding the timestamp into the MAC lets a receiver reject old requests,
 * so a captured delivery cannot be replayed later. One scheme for every webhook of the platform.
 */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** Headers of one signed delivery attempt (a fresh timestamp per attempt). */
export function signedHeaders(
  secret: string,
  body: string,
  extra: Record<string, string>,
  now: number = Date.now(),
): Record<string, string> {
  const timestamp = String(Math.floor(now / 1000));
  return {
    ...extra,
    [TIMESTAMP_HEADER]: timestamp,
    [SIGNATURE_HEADER]: signWebhook(secret, timestamp, body),
  };
}

/**
 * What a receiver does: recompute over the raw body bytes, compare in constant time, and refuse
 * timestamps further than `toleranceSeconds` from now (default 5 minutes).
 */
export function verifyWebhook(
  secret: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  body: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): boolean {
  const { signature, timestamp } = headers;
  if (!signature || !timestamp || !/^\d{1,12}$/.test(timestamp)) return false;
  const age = Math.abs((opts.now ?? Date.now()) / 1000 - Number(timestamp));
  if (age > (opts.toleranceSeconds ?? 300)) return false;
  const expected = Buffer.from(signWebhook(secret, timestamp, body));
  const got = Buffer.from(signature);
  return got.length === expected.length && timingSafeEqual(got, expected);
}
