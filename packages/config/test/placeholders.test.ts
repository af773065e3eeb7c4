import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv, redisEnv, registryClientEnv } from '../src';

/** Issue #16, item 10: the `change-me` secrets of infra/.env.example passed validation. */
const schema = z.object({
  ...redisEnv,
  ...registryClientEnv,
  DATABASE_URL: z.string().optional(),
  S3_SECRET_KEY: z.string().optional(),
  S3_ACCESS_KEY: z.string().optional(),
});

function exampleEnv(): Record<string, string> {
  const file = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    '../../../infra/.env.example',
  );
  const env: Record<string, string> = {};
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1] && match[2] !== undefined) env[match[1]] = match[2];
  }
  return env;
}

function message(env: Record<string, string>): string {
  try {
    parseEnv(schema, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('parseEnv accepted the environment');
}

describe('placeholder secrets', () => {
  it('refuses every secret of .env.example left as it is, naming the variable', () => {
    const example = exampleEnv();
    const text = message({
      ...example,
      DATABASE_URL: `postgres://mlops:${example.POSTGRES_PASSWORD ?? ''}@postgres:5432/mlops`,
      REDIS_URL: `redis://:${example.REDIS_PASSWORD ?? 'change-me'}@redis:6379`,
    });
    expect(text).toMatch(/MLOPS_TOKEN: is a placeholder/);
    expect(text).toMatch(/S3_SECRET_KEY: is a placeholder/);
    expect(text).toMatch(/DATABASE_URL: its password is a placeholder/);
    expect(text).toMatch(/REDIS_URL: its password is a placeholder/);
    expect(text).not.toMatch(/S3_ACCESS_KEY/);
  });

  it('refuses the usual spellings and accepts real secrets', () => {
    for (const token of ['changeme-please-0123', 'CHANGE_ME_0123456789', 'xxxxxxxxxxxxxxxxxx'])
      expect(message({ MLOPS_TOKEN: token })).toMatch(/MLOPS_TOKEN/);
    expect(message({ S3_SECRET_KEY: 'password' })).toMatch(/S3_SECRET_KEY/);
    const env = parseEnv(schema, {
      MLOPS_TOKEN: 'mlops_9bV0sQm3kH2yJ7pLwR4tXc1nZ8eA6dFg',
      REDIS_URL: 'redis://:Gq7vN2pXk9sL4wT1@redis:6379',
      DATABASE_URL: 'postgres://mlops:Yh3kP8sQ2vW6mZ1c@postgres:5432/mlops',
      S3_SECRET_KEY: 'Vb5nM1qX7kT3pL9w',
    });
    expect(env.MLOPS_TOKEN).toBe('mlops_9bV0sQm3kH2yJ7pLwR4tXc1nZ8eA6dFg');
  });

  it('leaves variables the app does not read alone', () => {
    expect(parseEnv(schema, { GRAFANA_ADMIN_PASSWORD: 'change-me' }).REDIS_URL).toBe(
      'redis://127.0.0.1:6379',
    );
  });
});
