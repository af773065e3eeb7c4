import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorBodySchema, type ErrorBody } from '@mlops/contracts';
import { DATASET_LIMITS } from '../src/domain/datasets/limits';
import { filesUnder, startTestRegistry, type TestRegistry } from './helpers';

// Issue #16, item 6: wide or one-line uploads kept the registry busy for a minute and answered
// 500 or their own input back. Replayed against a listening registry over real sockets.
let r: TestRegistry;
let base: string;

beforeAll(async () => {
  r = await startTestRegistry();
  await r.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(r.app.server.address() as AddressInfo).port}`;
});
afterAll(() => r.close());

function wideCsv(columns: number): string {
  const header = Array.from({ length: columns }, (_, i) => `c${i}`).join(',');
  return `${header}\n${Array.from({ length: columns }, () => '1').join(',')}\n`;
}

async function upload(
  name: string,
  body: string,
  format: 'csv' | 'json' | 'jsonl',
): Promise<{ status: number; text: string; error: ErrorBody['error'] | undefined }> {
  const res = await fetch(`${base}/api/datasets/${name}?format=${format}`, {
    method: 'POST',
    headers: { ...r.auth, 'content-type': 'application/octet-stream' },
    body,
  });
  const text = await res.text();
  const parsed = errorBodySchema.safeParse(JSON.parse(text));
  return { status: res.status, text, error: parsed.success ? parsed.data.error : undefined };
}

/** Nothing of a refused upload is left: no temp file, no dataset version. */
async function expectNothingStored(name: string): Promise<void> {
  expect(filesUnder(r.deps.tmpDir)).toEqual([]);
  expect(filesUnder(`${r.dir}/artifacts/tmp`)).toEqual([]);
  const res = await fetch(`${base}/api/datasets/${name}/versions/1/rows`, { headers: r.auth });
  expect(res.status).toBe(404);
}

describe('dataset uploads are checked while they stream', () => {
  it('refuses a 100,000-column CSV at its header with 413 naming the limit', async () => {
    const res = await upload('wide', wideCsv(100_000), 'csv');
    expect(res.status).toBe(413);
    expect(res.error?.message).toBe('the dataset has 100000 columns; at most 2000 are allowed');
    await expectNothingStored('wide');
    const metrics = await r.deps.metrics.registry.metrics();
    expect(metrics).toContain('registry_upload_refusals_total{upload="dataset",limit="columns"}');
  });

  it('refuses 3,000 columns (was a 500 when the row was read back) and takes 2,000', async () => {
    const res = await upload('wide3k', wideCsv(3_000), 'csv');
    expect(res.status).toBe(413);
    expect(res.error?.message).toContain('3000 columns; at most 2000');
    await expectNothingStored('wide3k');
    expect((await upload('wide2k', wideCsv(DATASET_LIMITS.columns), 'csv')).status).toBe(201);
  });

  it('answers a wide header before the body has ended: the rest is never read', async () => {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${base}/api/datasets/slow?format=csv`, {
        method: 'POST',
        headers: { ...r.auth, 'content-type': 'text/csv', 'transfer-encoding': 'chunked' },
      });
      req.on('error', reject);
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body });
          req.destroy();
        });
      });
      // The header and one row, then the upload stays open: only a streaming check answers.
      req.write(wideCsv(5_000));
    });
    expect(answer.status).toBe(413);
    expect(answer.body).toContain('at most 2000 are allowed');
    await expectNothingStored('slow');
  });

  it('answers a 5 MB one-line CSV with a short 413, not its input', async () => {
    for (const body of ['x'.repeat(5_000_000), `a,b\n${'y'.repeat(5_000_000)}`]) {
      const res = await upload('oneline', body, 'csv');
      expect(res.status).toBe(413);
      expect(res.text.length).toBeLessThan(2_000);
      expect(res.error?.message).toMatch(/longer than \d+ bytes/);
    }
    // Short cells on a line past the line limit.
    const row = Array.from({ length: 200_000 }, () => '1234567').join(',');
    const res = await upload('longline', `a\n${row}\n`, 'csv');
    expect(res.status).toBe(413);
    expect(res.error?.message).toBe(
      `line 2 is longer than ${DATASET_LIMITS.lineBytes} bytes, the limit of one line; split the data into more rows or fewer columns`,
    );
    await expectNothingStored('oneline');
  });

  it('counts quoted commas, quoted newlines and CRLF (CSV, JSON Lines) right', async () => {
    const csv = '"a,1",b\r\n"x\ny",2\r\n"p ""q""",3\r\n';
    const res = await upload('quoted', csv, 'csv');
    expect(res.status).toBe(201);
    expect(res.text).toContain('"name":"a,1"');
    const jsonl = await upload('crlf', '{"a":1,"b":"x"}\r\n{"a":2,"b":"y"}\r\n', 'jsonl');
    expect(jsonl.status).toBe(201);
  });

  it('refuses JSON Lines with a wide first record or a huge line, and wide JSON arrays', async () => {
    const keys = Object.fromEntries(Array.from({ length: 3_000 }, (_, i) => [`k${i}`, i]));
    const wide = await upload('jwide', `${JSON.stringify(keys)}\n`, 'jsonl');
    expect(wide.status).toBe(413);
    expect(wide.error?.message).toContain('3000 columns; at most 2000');
    const long = await upload('jlong', `{"a":"${'x'.repeat(3_000_000)}"}\n`, 'jsonl');
    expect(long.status).toBe(413);
    expect(long.text.length).toBeLessThan(2_000);
    const array = await upload('jarray', JSON.stringify([keys]), 'json');
    expect(array.status).toBe(413);
    expect(array.error?.message).toContain('3000 columns; at most 2000');
    const cell = await upload('jcell', `{"a":"${'x'.repeat(100_000)}"}\n`, 'jsonl');
    expect(cell.status).toBe(422);
    expect(cell.text).toContain(`longer than ${DATASET_LIMITS.cellBytes} bytes`);
    await expectNothingStored('jwide');
  });

  it('answers a chunked upload past the size limit with 413, blob or dataset (blob was 500)', async () => {
    const limit = r.deps.maxUploadBytes;
    for (const [url, chunk] of [
      ['/api/blobs', Buffer.alloc(1 << 20, 0x31)],
      ['/api/datasets/huge?format=csv', Buffer.from('a\n' + '1\n'.repeat(1 << 19))],
    ] as const) {
      // No content-length: only the bytes as they arrive can tell it is too large.
      const body = Readable.from(
        (function* () {
          for (let sent = 0; sent <= limit; sent += chunk.length) yield chunk;
        })(),
      );
      const init = {
        method: 'POST',
        headers: { ...r.auth, 'content-type': 'application/octet-stream' },
        body: Readable.toWeb(body),
        duplex: 'half' as const, // a streamed request body
      };
      const res = await fetch(`${base}${url}`, init);
      expect(res.status).toBe(413);
      expect(await res.text()).toContain(`larger than ${limit} bytes`);
    }
    await expectNothingStored('huge');
  });

  it('stops reading a refused upload: a declared 1 GiB body is cut off after a few MiB', async () => {
    const chunk = Buffer.alloc(1 << 20, 0x31);
    const result = await new Promise<{ status: number; sentMiB: number }>((resolve) => {
      let status = 0;
      let sent = 0;
      const req = http.request(`${base}/api/blobs`, {
        method: 'POST',
        headers: {
          ...r.auth,
          'content-type': 'application/octet-stream',
          'content-length': String(1024 ** 3),
        },
      });
      req.on('response', (res) => {
        status = res.statusCode ?? 0;
        res.resume();
      });
      const done = () => resolve({ status, sentMiB: sent / 2 ** 20 });
      req.on('error', done);
      req.on('close', done);
      const pump = () => {
        while (!req.destroyed && sent < 1024 ** 3) {
          sent += chunk.length;
          if (!req.write(chunk)) return void req.once('drain', pump);
        }
      };
      pump();
    });
    expect(result.status).toBe(413);
    // What is dropped after the answer is bounded (16 MiB), plus what the socket buffers hold.
    expect(result.sentMiB).toBeLessThan(200);
  });

  it('quotes at most a few hundred characters of a bad column name', async () => {
    const res = await upload('badname', `${'n'.repeat(50_000)}\n1\n`, 'csv');
    expect(res.status).toBe(422);
    expect(res.text.length).toBeLessThan(2_000);
  });
});
