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
