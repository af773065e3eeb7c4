import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { errorData } from '../src/trpc/errors';

describe('tRPC error data quotes little of the input', () => {
  it('clips issues that name an unknown 3 MB key (strict schemas quote unknown keys)', () => {
    const big = 'k'.repeat(3_000_000);
    const parsed = z
      .object({ name: z.string() })
      .strict()
      .safeParse({ name: 'a', [big]: 1 });
    expect(parsed.success).toBe(false);
    const data = errorData(new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error }));
    expect(data.appCode).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(data).length).toBeLessThan(2_000);
  });

  it("clips tRPC's own messages, and never passes an internal one on", () => {
    const big = 'x'.repeat(3_000_000);
    const parse = errorData(new TRPCError({ code: 'PARSE_ERROR', message: `bad JSON: ${big}` }));
    expect(parse.message?.length).toBeLessThan(1_000);
    const internal = errorData(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: big }));
    expect(internal).toEqual({ appCode: 'INTERNAL' });
  });
});
