import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import type { AddressPolicy } from './address-policy';
import { resolveTarget, TargetRefusedError, type PinnedTarget, type Resolve } from './target';

export type DeliveryOutcome =
  | { ok: true; statusCode: number }
  | {
      ok: false;
      statusCode: number | null;
      /** Worth another attempt later (network, 408, 429, 5xx); never for a refusal or redirect. */
      retryable: boolean;
      /** Safe for the delivery log: a class of failure, never a socket error's details. */
      error: string;
    };

export interface DeliverOptions {
  policy: AddressPolicy;
  /** Whole attempt, connect to last response byte. */
  timeoutMs: number;
  /** Response bytes read (and discarded) at most; the rest is cut off. */
  maxResponseBytes: number;
  resolve?: Resolve;
}

/**
 * Every connection failure reads the same — refused, reset, timed out, TLS, not HTTP — so the
 * delivery log of an allow-listed or public target cannot be used to tell open ports from
 * closed or filtered ones.
 */
export const NO_RESPONSE = 'no response from the receiver';

/**
 * One POST to a webhook target: resolved and checked now (again: it was checked at creation,
 * but DNS may have changed since), connected to the checked address only, redirects never
 * followed (a 3xx is a failed delivery: following one would replay the signed body to a host
 * nobody checked), bounded in time and in response size.
 */
export async function deliver(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  opts: DeliverOptions,
): Promise<DeliveryOutcome> {
  let target: PinnedTarget;
  const started = Date.now();
  try {
    // getaddrinfo has no timeout of its own: the attempt's deadline covers the lookup too.
    target = await withDeadline(resolveTarget(rawUrl, opts.policy, opts.resolve), opts.timeoutMs);
  } catch (err) {
    const reason = err instanceof TargetRefusedError ? err.reason : 'invalid target';
    // A name that does not resolve today may tomorrow; an address class will not change.
    const retryable = reason.includes('could not be resolved');
    return { ok: false, statusCode: null, retryable, error: `refused: ${reason}` };
  }
  let statusCode: number;
  try {
    const left = Math.max(1, opts.timeoutMs - (Date.now() - started));
    statusCode = await post(target, body, headers, { ...opts, timeoutMs: left });
  } catch {
    return { ok: false, statusCode: null, retryable: true, error: NO_RESPONSE };
  }
  if (statusCode >= 200 && statusCode < 300) return { ok: true, statusCode };
  if (statusCode >= 300 && statusCode < 400)
    return {
      ok: false,
      statusCode,
      retryable: false,
      error: `receiver answered a redirect (HTTP ${statusCode}); redirects are not followed`,
    };
  return {
    ok: false,
    statusCode,
    retryable: statusCode >= 500 || statusCode === 408 || statusCode === 429,
    error: `receiver answered HTTP ${statusCode}`,
  };
}

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(new TargetRefusedError('host could not be resolved in time')),
      ms,
    );
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

function pinnedLookup(target: PinnedTarget): LookupFunction {
  // Node calls it with `all: true` when it races address families (autoSelectFamily).
  return (_host, options, callback) => {
    if (options.all) callback(null, [{ address: target.address, family: target.family }]);
    else callback(null, target.address, target.family);
  };
}

function post(
  target: PinnedTarget,
  body: string,
  headers: Record<string, string>,
  opts: DeliverOptions,
): Promise<number> {
  const { url } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<number>((resolve, reject) => {
    const req = client.request({
      method: 'POST',
      protocol: url.protocol,
      host: target.host,
      port: url.port || undefined,
      path: `${url.pathname}${url.search}`,
      headers: {
        ...headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        host: url.host,
      },
      lookup: pinnedLookup(target),
      agent: false,
    });
    const deadline = setTimeout(() => req.destroy(new Error('timeout')), opts.timeoutMs);
    req.once('error', (err) => {
      clearTimeout(deadline);
      reject(err);
    });
    req.once('response', (res) => {
      let seen = 0;
      res.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > opts.maxResponseBytes) {
          clearTimeout(deadline);
          res.destroy();
          resolve(res.statusCode ?? 0);
        }
      });
      res.once('end', () => {
        clearTimeout(deadline);
        resolve(res.statusCode ?? 0);
      });
      res.once('error', () => {
        clearTimeout(deadline);
        resolve(res.statusCode ?? 0);
      });
    });
    req.end(body);
  });
}
