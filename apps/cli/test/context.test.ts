import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveContext } from '../src/context';
import { formatCell, formatMetrics } from '../src/output';

describe('resolveContext', () => {
  it('uses the local defaults of npm start', () => {
    const ctx = resolveContext(
      {},
      { MLOPS_DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'cli-ctx-')) },
    );
    expect(ctx.registryUrl).toBe('http://127.0.0.1:7600');
    expect(ctx.servingUrl).toBe('http://127.0.0.1:7601');
    expect(ctx.monitorUrl).toBe('http://127.0.0.1:7602');
    expect(ctx.json).toBe(false);
  });

  it('prefers flags over the environment and trims trailing slashes', () => {
    const ctx = resolveContext(
      { registryUrl: 'http://flag:1/', json: true },
      { REGISTRY_URL: 'http://env:2', SERVING_URL: 'http://env:3//' },
    );
    expect(ctx.registryUrl).toBe('http://flag:1');
    expect(ctx.servingUrl).toBe('http://env:3');
    expect(ctx.json).toBe(true);
  });
});

describe('output', () => {
  it('formats cells and metrics for people', () => {
    expect(formatCell(null)).toBe('-');
    expect(formatCell(3)).toBe('3');
    expect(formatCell(0.123456)).toBe('0.1235');
    expect(formatMetrics({ accuracy: 0.96666, epochs: 12 })).toBe('accuracy=0.9667 epochs=12');
  });
});
