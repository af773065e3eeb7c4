import dns from 'node:dns/promises';
import net from 'node:net';
import { hostIsAllowListed, refusalOf, type AddressPolicy } from './address-policy';

/** A webhook URL whose host has been resolved and judged: connect to `address`, nothing else. */
export interface PinnedTarget {
  url: URL;
  /** The host as written in the URL (brackets removed): Host header and TLS server name. */
  host: string;
  address: string;
  family: 4 | 6;
}

/** The target may not be reached: the reason is safe to show (it names no port or service). */
export class TargetRefusedError extends Error {
  constructor(readonly reason: string) {
    super(`refused: ${reason}`);
    this.name = 'TargetRefusedError';
  }
}

export type Resolve = (host: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolve: Resolve = (host) => dns.lookup(host, { all: true, verbatim: true });

/**
 * Parse, resolve and check a webhook URL. Every address the name resolves to must be allowed —
 * not just the first — because the connection could otherwise go to another one; the caller
 * then connects to the returned address itself, so a second lookup (DNS rebinding: public at
 * check time, 127.0.0.1 at connect time) never happens. Numeric spellings (`0x7f000001`,
 * `2130706433`, `0177.0.0.1`, `[::ffff:127.0.0.1]`) are normalised by the WHATWG URL parser
 * before the host is judged.
 */
export async function resolveTarget(
  rawUrl: string,
  policy: AddressPolicy,
  resolve: Resolve = systemResolve,
): Promise<PinnedTarget> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TargetRefusedError('not a valid URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new TargetRefusedError('only http and https URLs are allowed');
  if (url.username || url.password)
    throw new TargetRefusedError('credentials in the URL are not allowed');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const allowListed = hostIsAllowListed(policy, host);

  let addresses: Array<{ address: string; family: number }>;
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new TargetRefusedError(`host ${host} could not be resolved`);
    }
    if (addresses.length === 0) throw new TargetRefusedError(`host ${host} could not be resolved`);
  }
  if (!allowListed) {
    for (const { address } of addresses) {
      const refusal = refusalOf(policy, address);
      if (refusal) throw new TargetRefusedError(refusal);
    }
  }
  const first = addresses[0]!;
  return { url, host, address: first.address, family: first.family === 6 ? 6 : 4 };
}
