import { describe, expect, it } from 'vitest';
import { optionalProcedure } from '../src/api/optional';
import { abilitiesFromScopes } from '../src/api/verify-token';

describe('optional procedures', () => {
  it('finds procedures contracts declares and nothing else', () => {
    expect(optionalProcedure('runs', 'get')?.mutation).toBe(false);
    expect(optionalProcedure('aliases', 'set')?.mutation).toBe(true);
    expect(optionalProcedure('runs', 'no-such-procedure')).toBeUndefined();
    expect(optionalProcedure('no-such-group', 'get')).toBeUndefined();
  });
});

describe('abilitiesFromScopes', () => {
  it('offers writes and promotion only where the token’s scopes allow them', () => {
    const all = { upload: true, train: true, promote: true, cancel: true, pipelines: true };
    expect(abilitiesFromScopes(['admin'])).toEqual(all);
    expect(abilitiesFromScopes(['write', 'promote', 'train'])).toEqual(all);
    expect(abilitiesFromScopes(['write', 'promote'])).toEqual({ ...all, pipelines: false });
    expect(abilitiesFromScopes(['write'])).toEqual({ ...all, promote: false, pipelines: false });
    // Pipelines run and cancel with `train` (the registry's rule), not with `write`.
    expect(abilitiesFromScopes(['train'])).toEqual({
      upload: false,
      train: false,
      promote: false,
      cancel: false,
      pipelines: true,
    });
    expect(abilitiesFromScopes(['read'])).toEqual({
      upload: false,
      train: false,
      promote: false,
      cancel: false,
      pipelines: false,
    });
  });
});
