import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { generateLesions } from '../../../scripts/demo/lesions';

// The CLI runs as a real child process against a real loopback HTTP server that records what it
// is sent and answers like serving does; serving's own handling of these bodies is tested there.
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'bin', 'mlops.js');
const TOKEN = 'cli-image-token-0123456789abcdef';

interface Recorded {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}
let requests: Recorded[] = [];
let server: http.Server;
let servingUrl: string;
let dir: string;
let png: string;
let jpeg: string;

function answer(count: number) {
  return {
    predictions: Array.from({ length: count }, () => ({
      label: 'melanoma',
      probabilities: { melanoma: 0.875, nevus: 0.1, keratosis: 0.025 },
    })),
    model: { name: 'lesions', version: 3, alias: 'production' },
    predictionIds: Array.from({ length: count }, (_, i) => `pred-${i + 1}`),
  };
}

function mlops(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, MLOPS_TOKEN: TOKEN, SERVING_URL: servingUrl },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cli-images-'));
  const [pngImage] = await generateLesions({ count: 1, seed: 1, size: 16 });
  const [jpegImage] = await generateLesions({ count: 1, seed: 2, size: 16, format: 'jpeg' });
  png = path.join(dir, 'x.png');
  jpeg = path.join(dir, 'y.jpg');
  fs.writeFileSync(png, pngImage!.data);
  fs.writeFileSync(jpeg, jpegImage!.data);
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ url: req.url ?? '', headers: req.headers, body });
      const json = req.headers['content-type']?.startsWith('application/json');
      const count = json
        ? (JSON.parse(body.toString()) as { instances: unknown[] }).instances.length
        : 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(answer(count)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servingUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  requests = [];
});

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('mlops predict --image', () => {
  it('sends one image as the raw body with its media type and the token', async () => {
    const { code, stdout, stderr } = await mlops(['predict', 'lesions', '--image', jpeg]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(requests).toHaveLength(1);
    const [sent] = requests;
    expect(sent!.url).toBe('/v1/models/lesions:predict?format=platform');
    expect(sent!.headers['content-type']).toBe('image/jpeg');
    expect(sent!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(sent!.body.equals(fs.readFileSync(jpeg))).toBe(true);
    expect(stdout).toContain('lesions v3 (production)');
    expect(stdout).toContain('melanoma 0.875, nevus 0.100, keratosis 0.025');
    expect(stdout).toContain(jpeg);
  });

  it('sends several images as TF Serving b64 instances and prints JSON on --json', async () => {
    const { code, stdout } = await mlops([
      'predict',
      'lesions',
      '--image',
      png,
      '--image',
      jpeg,
      '--json',
    ]);
    expect(code).toBe(0);
    const [sent] = requests;
    expect(sent!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(sent!.body.toString())).toEqual({
      instances: [
        { b64: fs.readFileSync(png).toString('base64') },
        { b64: fs.readFileSync(jpeg).toString('base64') },
      ],
    });
    expect(JSON.parse(stdout)).toEqual(answer(2));
  });

  it('refuses a missing file or a non-image by name before sending anything', async () => {
    const missing = await mlops(['predict', 'lesions', '--image', png, '--image', 'nope.jpg']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('--image nope.jpg does not exist');

    const text = path.join(dir, 'notes.jpg');
    fs.writeFileSync(text, 'not an image at all');
    const notImage = await mlops(['predict', 'lesions', '--image', text]);
    expect(notImage.code).toBe(1);
    expect(notImage.stderr).toContain(`--image ${text} is not a JPEG or PNG image`);

    const both = await mlops(['predict', 'lesions', '--image', png, '--instance', '{"a":1}']);
    expect(both.code).toBe(1);
    expect(both.stderr).toContain('not both');
    expect(requests).toHaveLength(0);
  });
});
