import { z } from 'zod';
import { DEFAULT_PORTS } from '@mlops/contracts';
import {
  accessEnv,
  commonEnv,
  dataDirEnv,
  hostEnv,
  parseEnv,
  portEnv,
  redisEnv,
} from '@mlops/config';
import { secretKeyEnv, webhookEnv } from '@mlops/webhooks';

export const registryEnvSchema = z
  .object({
    ...commonEnv,
    ...dataDirEnv,
    ...redisEnv,
    ...hostEnv,
    ...accessEnv,
    ...webhookEnv,
    ...secretKeyEnv,
    REGISTRY_PORT: portEnv(DEFAULT_PORTS.registry),
    /** Admin bearer token; when unset one is generated into the data directory. */
    MLOPS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    /** Largest accepted dataset or blob upload, in bytes (default 1 GiB). */
    REGISTRY_MAX_UPLOAD_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(1024 ** 3),
    /** Image datasets: most images in one archive (default 100,000). */
    REGISTRY_MAX_DATASET_IMAGES: z.coerce.number().int().positive().default(100_000),
    /** Image datasets: largest image file, in bytes (default 20 MiB). */
    REGISTRY_MAX_IMAGE_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(20 * 1024 ** 2),
    /** Image datasets: most pixels (width × height) of one image (default 40 million). */
    REGISTRY_MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(40_000_000),
    /**
     * Largest tRPC (JSON) body, in bytes (default 16 MiB). The largest real input is a model
     * manifest (versions.create / versions.import): signature and preprocessing of up to 2,000
     * columns with their categories, a few MB at most. Uploads stream through /api instead.
     */
    REGISTRY_MAX_JSON_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(16 * 1024 ** 2),
    GIT_REVISION: z.string().max(100).optional(),
    /** `postgres://user:pass@host:5432/db` selects Postgres; unset = SQLite in the data dir. */
    DATABASE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (unset it to use SQLite)')
      .optional(),
    /** S3/MinIO artifact store: endpoint, bucket and keys together select it; unset = filesystem. */
    S3_ENDPOINT: z.string().url().optional(),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be a valid S3 bucket name')
      .optional(),
    S3_ACCESS_KEY: z.string().min(1).optional(),
    S3_SECRET_KEY: z.string().min(1).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    /** Path-style URLs (MinIO default); `false` for virtual-host style (AWS). */
    S3_PATH_STYLE: z.enum(['true', 'false']).default('true'),
    /** Create the bucket at start when it does not exist. */
    S3_CREATE_BUCKET: z.enum(['true', 'false']).default('true'),
  })
  .superRefine((env, ctx) => {
    const s3 = [env.S3_ENDPOINT, env.S3_BUCKET, env.S3_ACCESS_KEY, env.S3_SECRET_KEY];
    if (s3.some((v) => v !== undefined) && s3.some((v) => v === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_ENDPOINT'],
        message: 'S3_ENDPOINT, S3_BUCKET, S3_ACCESS_KEY and S3_SECRET_KEY must be set together',
      });
    }
  });
export type RegistryEnv = z.infer<typeof registryEnvSchema>;

export function loadEnv(env: Record<string, string | undefined> = process.env): RegistryEnv {
  return parseEnv(registryEnvSchema, env);
}
