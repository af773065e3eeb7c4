import { describe, expect, it } from 'vitest';
import { lineBlocks, parseDatasetRows, parseRows } from '../src/rows';

/** A body that arrives in exactly these chunks. */
function body(chunks: string[], onCancel?: () => void): ReadableStream<Uint8Array> {
  const queue = chunks.map((c) => new TextEncoder().encode(c));
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const next = queue.shift();
      if (next) controller.enqueue(next);
      else controller.close();
    },
    cancel: () => onCancel?.(),
  });
}

async function collect(blocks: AsyncIterable<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const block of blocks) out.push(Buffer.from(block).toString());
  return out;
}

describe('lineBlocks (a JSON Lines body cut at line ends)', () => {
  it('yields whole lines only, however the body was chunked', async () => {
    const chunks = ['[1,"a"]\n[2,', '"b', '"]\n[3,"ü', '"]\n[4]\n', '[5]'];
    const blocks = await collect(lineBlocks(body(chunks)));
    for (const block of blocks) expect(block.endsWith('\n')).toBe(true);
    // The last line gets the newline the body lacked; nothing is lost or added besides.
    expect(blocks.join('')).toBe(`${chunks.join('')}\n`);
    expect(blocks).toEqual(['[1,"a"]\n', '[2,"b"]\n', '[3,"ü"]\n[4]\n', '[5]\n']);
  });

  it('splits multi-byte characters cut by a chunk boundary without damage', async () => {
    const bytes = new TextEncoder().encode('["😀✓"]\n["é"]\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        // Every byte its own chunk: each character is cut at least once.
        for (const b of bytes) controller.enqueue(Uint8Array.of(b));
        controller.close();
      },
    });
    const text = (await collect(lineBlocks(stream))).join('');
    expect(text).toBe('["😀✓"]\n["é"]\n');
  });

  it('reads an empty body as no blocks', async () => {
    expect(await collect(lineBlocks(body([])))).toEqual([]);
  });

  it('cancels the body when its reader stops early', async () => {
    let cancelled = false;
    const blocks = lineBlocks(
      body(['[1]\n', '[2]\n', '[3]\n'], () => {
        cancelled = true;
      }),
    );
    for await (const block of blocks) {
      expect(Buffer.from(block).toString()).toBe('[1]\n');
      break;
    }
    expect(cancelled).toBe(true);
  });
});

describe('parseRows (kept for readers that want checked rows)', () => {
  it('names the first malformed row by its number, blank lines not counted', async () => {
    const rows: unknown[] = [];
    const read = async () => {
      for await (const row of parseRows(body(['[1]\n\n[2]\n{"a":1}\n']))) rows.push(row);
    };
    await expect(read()).rejects.toThrow(
      'row 3 of the stored dataset is not a JSON array of cells',
    );
    expect(rows).toEqual([[1], [2]]);
  });
});

describe('rows of an image dataset', () => {
  const cell = { sha256: 'a'.repeat(64), width: 4, height: 3, format: 'png' };
  const line = `${JSON.stringify([cell, 'nevus'])}\n`;

  it('parseDatasetRows yields image cells as they are stored', async () => {
    const rows: unknown[] = [];
    for await (const row of parseDatasetRows(body([line, line]))) rows.push(row);
    expect(rows).toEqual([
      [cell, 'nevus'],
      [cell, 'nevus'],
    ]);
  });

  it('parseRows (the tabular reader) says to read them as image rows', async () => {
    await expect(async () => {
      for await (const _ of parseRows(body([line]))) void _;
    }).rejects.toThrow(/datasetImageRows/);
  });
});
