import { describe, expect, it } from 'vitest';
import { redisKeys, resourceNameSchema, sha256Schema } from '../src';

describe('resource names', () => {
  it.each(['iris', 'iris-v2', 'a', 'model_1.prod', '0day'])('accepts %s', (name) => {
    expect(resourceNameSchema.safeParse(name).success).toBe(true);
  });

  it.each([
    '',
    '..',
    '../etc',
    'a/b',
    'a..b',
    '.hidden',
    'Iris',
    'a b',
    'x'.repeat(64),
    'a\\b',
    '%2e%2e',
  ])('rejects %j (path traversal, case, length, separators)', (name) => {
    expect(resourceNameSchema.safeParse(name).success).toBe(false);
  });

  it('accepts only lowercase hex sha256', () => {
    expect(sha256Schema.safeParse('a'.repeat(64)).success).toBe(true);
    expect(sha256Schema.safeParse('A'.repeat(64)).success).toBe(false);
    expect(sha256Schema.safeParse('../' + 'a'.repeat(61)).success).toBe(false);
  });
});

describe('redisKeys', () => {
  it('puts everything under one prefix', () => {
    const keys = redisKeys('test-1');
    expect(keys.events).toBe('test-1:events');
    expect(keys.bullPrefix).toBe('test-1:bull');
    expect(keys.predictions('iris')).toBe('test-1:predictions:iris');
  });

  it('refuses prefixes and model names that could escape it', () => {
    expect(() => redisKeys('a b')).toThrow(/prefix/);
    expect(() => redisKeys('')).toThrow(/prefix/);
    expect(() => redisKeys('ok').predictions('a:*')).toThrow();
  });
});
