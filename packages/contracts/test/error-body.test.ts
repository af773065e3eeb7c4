import { describe, expect, it } from 'vitest';
import { AppError, readErrorBody } from '../src';

describe('readErrorBody', () => {
  it('reads the platform body', () => {
    const body = new AppError('VALIDATION_FAILED', 'bad x', [
      { path: 'x', message: 'bad' },
    ]).toBody();
    expect(readErrorBody(body)).toEqual({
      code: 'VALIDATION_FAILED',
      message: 'bad x',
      details: [{ path: 'x', message: 'bad' }],
    });
  });

  it("reads TF Serving's {error: string}, with or without our code beside it", () => {
    expect(readErrorBody({ error: 'Servable not found for request: Latest(foo)' })).toEqual({
      code: undefined,
      message: 'Servable not found for request: Latest(foo)',
      details: undefined,
    });
    expect(readErrorBody({ error: 'no model', code: 'NOT_FOUND' })?.code).toBe('NOT_FOUND');
  });

  it('answers null for anything else', () => {
    for (const body of [null, 'text', { error: 3 }, { error: { message: 'x' } }, { message: 'x' }])
      expect(readErrorBody(body)).toBeNull();
  });
});

describe('AppError clips what it quotes', () => {
  it('keeps a 5 MB message, path or detail list from becoming a 5 MB answer', () => {
    const huge = 'x'.repeat(5_000_000);
    const err = new AppError(
      'BAD_DATASET',
      `column "${huge}" is invalid`,
      Array.from({ length: 1000 }, () => ({ path: huge, message: huge })),
    );
    const size = JSON.stringify(err.toBody()).length;
    expect(size).toBeLessThan(60_000);
    expect(err.message).toMatch(/^column "x+… \(\d+ more characters\)$/);
    expect(err.details).toHaveLength(101);
    expect(err.details?.at(-1)?.message).toBe('900 more problem(s) not listed');
    expect(new AppError('NOT_FOUND', 'short', [{ path: 'a', message: 'b' }]).toBody()).toEqual({
      error: { code: 'NOT_FOUND', message: 'short', details: [{ path: 'a', message: 'b' }] },
    });
  });
});
