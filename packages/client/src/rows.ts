import readline from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import { z } from 'zod';
import { AppError, type CellValue } from '@mlops/contracts';

const rowSchema = z.array(z.union([z.number(), z.string(), z.boolean(), z.null()]));

/** Parse a canonical JSON Lines body into rows, one line at a time. */
export async function* parseRows(body: ReadableStream<Uint8Array>): AsyncGenerator<CellValue[]> {
  // The cast is a no-op under Node's lib, but lets a DOM-lib program (the dashboard) type-check this.
  const lines = readline.createInterface({
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    input: Readable.fromWeb(body as NodeReadableStream<Uint8Array>),
    crlfDelay: Infinity,
  });
  let n = 0;
  for await (const line of lines) {
    if (line === '') continue;
    n += 1;
    const parsed = rowSchema.safeParse(safeJson(line));
    if (!parsed.success)
      throw new AppError('INTERNAL', `row ${n} of the stored dataset is not a JSON array of cells`);
    yield parsed.data;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
