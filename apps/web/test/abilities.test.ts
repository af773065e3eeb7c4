import { describe, expect, it } from 'vitest';
import { optionalProcedure } from '../src/api/optional';
import { abilitiesFromProbes } from '../src/api/verify-token';

describe('optional procedures', () => {
  it('finds procedures contracts declares and nothing else', () => {
    expect(optionalProcedure('runs', 'get')?.mutation).toBe(false);
    expect(optionalProcedure('aliases', 'set')?.mutation).toBe(true);
    expect(optionalProcedure('runs', 'no-such-procedure')).toBeUndefined();
    expect(optionalProcedure('no-such-group', 'get')).toBeUndefined();
  });
});

describe('abilitiesFromProbes', () => {
  it('offers writes and promotion only where the registry allowed them', () => {
    expect(abilitiesFromProbes('allowed', 'allowed')).toEqual({
      upload: true,
      train: true,
      promote: true,
      cancel: true,
    });
    expect(abilitiesFromProbes('allowed', 'forbidden')).toEqual({
      upload: true,
      train: true,
      promote: false,
      cancel: true,
    });
    expect(abilitiesFromProbes('forbidden', 'forbidden')).toEqual({
      upload: false,
      train: false,
      promote: false,
      cancel: false,
    });
  });
});
