import type { IncomingHttpHeaders } from 'node:http';

/**
 * Headers that describe one hop, not the message: never forwarded either way (RFC 9110 §7.6.1),
 * plus any header the `Connection` header names. `proxy-authorization` is for this proxy, not
 * the service; `host` is set by the proxy to the upstream's own.
 */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'http2-settings',
]);

function named(connection: unknown): Set<string> {
  if (typeof connection !== 'string') return new Set();
  return new Set(
    connection
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
}

function withoutHopByHop(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const listed = named(headers.connection);
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (value === undefined || HOP_BY_HOP.has(key) || listed.has(key)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * What the upstream receives: the caller's end-to-end headers (its `Authorization` included,
 * since the upstream is always the configured service), with `host` naming that upstream.
 */
export function upstreamRequestHeaders(
  headers: IncomingHttpHeaders,
  upstreamHost: string,
): IncomingHttpHeaders {
  const out = withoutHopByHop(headers);
  // The services authenticate by bearer token only; cookies of the dashboard's domain (an SSO
  // session, say) are ambient credentials that have no business reaching them.
  delete out.cookie;
  return { ...out, host: upstreamHost };
}

/** What the caller receives of the upstream's answer (no cookie set on the dashboard's origin). */
export function callerResponseHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const out = withoutHopByHop(headers);
  delete out.host;
  delete out['set-cookie'];
  return out;
}
