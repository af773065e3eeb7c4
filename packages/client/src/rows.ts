import readline from 'node:readline';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { AppError, type CellValue } from '@mlops/contracts';

const rowSchema = z.array(z.union([z.number(), z.string(), z.boolean(), z.null()]));

/** Parse a canonical JSON Lines body into rows, one line at a time. */
export async function* parseRows(body: ReadableStream<Uint8Array>): AsyncGenerator<CellValue[]> {
  const lines = readline.createInterface({ input: Readable.fromWeb(body), crlfDelay: Infinity });
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
