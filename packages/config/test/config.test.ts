import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  loggerOptions,
  parseEnv,
  portEnv,
  readTokenFile,
  redisEnv,
  resolveAdminToken,
} from '../src';

const schema = z.object({ ...redisEnv, PORT: portEnv(7600) });

describe('parseEnv', () => {
  it('applies defaults and treats empty strings as unset', () => {
    const env = parseEnv(schema, { REDIS_URL: '', PORT: '8080' });
    expect(env).toEqual({
      REDIS_URL: 'redis://127.0.0.1:6379',
      MLOPS_REDIS_PREFIX: 'mlops',
      PORT: 8080,
    });
  });

  it('stops with a message naming every bad variable', () => {
    expect(() =>
      parseEnv(schema, { REDIS_URL: 'http://nope', PORT: 'eighty', MLOPS_REDIS_PREFIX: 'a b' }),
    ).toThrow(ConfigError);
    try {
      parseEnv(schema, { REDIS_URL: 'http://nope', PORT: 'eighty' });
    } catch (err) {
      expect((err as Error).message).toMatch(/REDIS_URL: must start with redis:\/\//);
      expect((err as Error).message).toMatch(/PORT:/);
    }
  });
});

describe('admin token', () => {
  it('generates a token once, stores it 0600, and reuses it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'token-'));
    const first = resolveAdminToken(dir, undefined);
    expect(first.generated).toBe(true);
    expect(first.token).toMatch(/^mlops_[A-Za-z0-9_-]{32}$/);
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    const second = resolveAdminToken(dir, undefined);
    expect(second).toMatchObject({ generated: false, token: first.token });
    expect(readTokenFile(dir)).toBe(first.token);
    expect(resolveAdminToken(dir, 'from-the-environment-123').token).toBe(
      'from-the-environment-123',
    );
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('logger', () => {
  it('never writes tokens or authorization headers', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write: (chunk: Buffer, _enc, done) => (lines.push(chunk.toString()), done()),
    });
    const log = pino(loggerOptions('test', 'info'), sink);
    log.info(
      {
        token: 'secret-1',
        req: { headers: { authorization: 'Bearer secret-2' } },
        nested: { token: 'secret-3' },
      },
      'hello',
    );
    const text = lines.join('');
    expect(text).toContain('hello');
    expect(text).not.toMatch(/secret-[123]/);
  });
});
