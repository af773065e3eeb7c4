import fs from 'node:fs';
import { z } from 'zod';
import { DEFAULT_PORTS } from '@mlops/contracts';
import { commonEnv, hostEnv, parseEnv, portEnv } from '@mlops/config';

export const webEnvSchema = z.object({
  ...commonEnv,
  ...hostEnv,
  WEB_PORT: portEnv(DEFAULT_PORTS.web),
  REGISTRY_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.registry}`),
  SERVING_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.serving}`),
  MONITOR_URL: z.string().url().default(`http://127.0.0.1:${DEFAULT_PORTS.monitor}`),
  /** Built assets (`vite build`); default: apps/web/dist next to this file. */
  WEB_DIST_DIR: z.string().optional(),
  /** PEM file of a CA to trust for https upstreams, besides the system's roots. */
  WEB_UPSTREAM_CA_FILE: z
    .string()
    .optional()
    .refine((file) => file === undefined || fs.existsSync(file), 'no such file')
    .transform((file) =>
      file === undefined ? undefined : { file, pem: fs.readFileSync(file, 'utf8') },
    )
    .refine(
      (ca) => ca === undefined || ca.pem.includes('-----BEGIN CERTIFICATE-----'),
      'not a PEM certificate',
    ),
});
export type WebEnv = z.infer<typeof webEnvSchema>;

export function loadEnv(env: Record<string, string | undefined> = process.env): WebEnv {
  return parseEnv(webEnvSchema, env);
}
