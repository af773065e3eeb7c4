import http from 'node:http';
import https from 'node:https';
import { rootCertificates } from 'node:tls';

/**
 * Whether `upstream` answers its `/healthz` with 2xx within `timeoutMs`. node:http(s) rather
 * than fetch, so an https upstream is checked against the same CA as the proxy's requests.
 */
export function upstreamHealthy(
  upstream: string,
  ca?: string,
  timeoutMs = 2_000,
): Promise<boolean> {
  const url = new URL('/healthz', upstream);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const req = client.get(
      url,
      {
        timeout: timeoutMs,
        ...(url.protocol === 'https:' && ca ? { ca: [...rootCertificates, ca] } : {}),
      },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 300);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
  });
}
