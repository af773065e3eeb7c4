import { describe, expect, it } from 'vitest';
import type { DatasetSchema } from '@mlops/contracts';
import { recordsOf } from '../src/evaluation/measure';

const schema: DatasetSchema = {
  columns: [
    { name: 'x', type: 'numeric', nullable: false },
    { name: 'label', type: 'categorical', nullable: true, categories: ['a', 'b'] },
  ],
};

/** Blocks as a response body delivers them: one at a time, asynchronously. */
async function* body(parts: Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const p of parts) yield await Promise.resolve(p);
}
const blocks = (...parts: string[]) => body(parts.map((p) => new TextEncoder().encode(p)));

async function collect<T>(rows: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rows) out.push(r);
  return out;
}

describe('evaluation rows', () => {
  it('parses canonical JSON Lines into records, whatever the block boundaries', async () => {
    // A row and a multi-byte character cut across blocks, and a last line without its newline.
    const text = '[1.5,"a"]\n[2,"é"]\n[3,null]';
    const bytes = new TextEncoder().encode(text);
    const cut = [5, 14];
    const parts = [bytes.slice(0, cut[0]), bytes.slice(cut[0], cut[1]), bytes.slice(cut[1])];
    expect(await collect(recordsOf(schema, body(parts)))).toEqual([
      { x: 1.5, label: 'a' },
      { x: 2, label: 'é' },
      { x: 3, label: null },
    ]);
  });

  it('refuses a line that is not an array of cells, naming the row', async () => {
    await expect(collect(recordsOf(schema, blocks('[1,"a"]\n{"x":1}\n')))).rejects.toThrow(/row 1/);
  });
});
