import { createHmac, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const TOKEN_FILE = 'admin-token';

/**
 * The bootstrap admin token of an embedded deployment: `MLOPS_TOKEN` when set, else the one
 * stored in the data directory (mode 0600), else a new one written there. Apps on the same
 * data directory (the demo, `npm start`, the CLI) find it without it ever being logged.
 */
export function resolveAdminToken(
  dataDir: string,
  fromEnv: string | undefined,
): { token: string; generated: boolean; file: string } {
  const file = path.join(dataDir, TOKEN_FILE);
  if (fromEnv) return { token: fromEnv, generated: false, file };
  const existing = readTokenFile(dataDir);
  if (existing) return { token: existing, generated: false, file };
  fs.mkdirSync(dataDir, { recursive: true });
  const token = `mlops_${randomBytes(24).toString('base64url')}`;
  fs.writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
  return { token, generated: true, file };
}

/** The stored token of a data directory, if any. */
export function readTokenFile(dataDir: string): string | undefined {
  try {
    const token = fs.readFileSync(path.join(dataDir, TOKEN_FILE), 'utf8').trim();
    return token || undefined;
  } catch {
    return undefined;
  }
}

const SERVICE_TOKEN = /^mlops_svc_([a-z]+)_([A-Za-z0-9_-]{43})$/;

/**
 * The token of one platform service, derived from the bootstrap admin token:
 * `mlops_svc_<service>_<HMAC-SHA256(admin, "mlops-service-token:v1:<service>")>`. The registry
 * recomputes it to authenticate the service as `service:<name>` with that service's scopes
 * (contracts `SERVICE_SCOPES`), so the supervisors hand each app its own credential and no app
 * needs the admin token; nothing is stored, and rotating the admin token rotates them all.
 */
export function serviceToken(adminToken: string, service: string): string {
  const mac = createHmac('sha256', adminToken)
    .update(`mlops-service-token:v1:${service}`)
    .digest('base64url');
  return `mlops_svc_${service}_${mac}`;
}

/** The service a token claims to be (not verified: compare with `serviceToken`). */
export function serviceOfToken(token: string): string | undefined {
  return SERVICE_TOKEN.exec(token)?.[1];
}
