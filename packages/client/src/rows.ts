import readline from 'node:readline';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import {
  AppError,
  isCellRow,
  isDatasetRow,
  type CellValue,
  type ImageCell,
} from '@mlops/contracts';

const NEWLINE = 0x0a;

/** Parse a canonical JSON Lines body into rows of scalar cells, one line at a time. */
export async function* parseRows(body: ReadableStream<Uint8Array>): AsyncGenerator<CellValue[]> {
  for await (const cells of parseDatasetRows(body)) {
    if (!isCellRow(cells))
      throw new AppError(
        'BAD_DATASET',
        'the dataset has image cells; read its rows with datasetImageRows (tabular readers take scalar cells only)',
      );
    yield cells;
  }
}

/** Parse a canonical JSON Lines body into rows whose cells may be `ImageCell`s. */
export async function* parseDatasetRows(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<Array<CellValue | ImageCell>> {
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
    const cells = safeJson(line);
    if (!isDatasetRow(cells))
      throw new AppError('INTERNAL', `row ${n} of the stored dataset is not a JSON array of cells`);
    yield cells;
  }
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * A JSON Lines body as it arrives, cut at line ends: each block holds whole lines only (the last
 * line gets its newline when the body lacks one), so a block can be handed on as it is — to
 * another thread, say — and split and parsed there. Nothing is parsed or checked here: the
 * consumer does that, once per row (`parseRows` is the checked reader of the same body).
 */
export async function* lineBlocks(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  // The start of a line that continues in the next network chunk.
  let partial: Uint8Array = new Uint8Array(0);
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const end = value.lastIndexOf(NEWLINE) + 1;
      if (end === 0) {
        partial = join(partial, value);
        continue;
      }
      yield join(partial, value.subarray(0, end));
      partial = value.subarray(end);
    }
    finished = true;
    if (partial.length > 0) yield join(partial, Uint8Array.of(NEWLINE));
  } finally {
    // A consumer that stops early releases the connection instead of leaving the body unread.
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}

function join(head: Uint8Array, tail: Uint8Array): Uint8Array {
  return head.length === 0 ? tail : Buffer.concat([head, tail]);
}
