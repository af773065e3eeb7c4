import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isSealed, SecretBox } from '../src/index';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'secret-box-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('SecretBox', () => {
  it('seals with AES-256-GCM: the sealed text holds nothing of the secret and opens again', () => {
    const box = SecretBox.fromPassphrase('k'.repeat(40));
    const sealed = box.seal('whsec_the-receivers-secret', 'webhook:w1');
    expect(isSealed(sealed)).toBe(true);
    expect(sealed).not.toContain('receivers');
    expect(box.seal('whsec_the-receivers-secret', 'webhook:w1')).not.toBe(sealed);
    expect(box.unseal(sealed, 'webhook:w1')).toBe('whsec_the-receivers-secret');
  });

  it('does not open with another key, nor on another row', () => {
    const sealed = SecretBox.fromPassphrase('k'.repeat(40)).seal('s', 'webhook:w1');
    expect(() => SecretBox.fromPassphrase('j'.repeat(40)).unseal(sealed, 'webhook:w1')).toThrow(
      /MLOPS_SECRET_KEY/,
    );
    expect(() => SecretBox.fromPassphrase('k'.repeat(40)).unseal(sealed, 'webhook:w2')).toThrow();
  });

  it('without MLOPS_SECRET_KEY keeps its key in the data directory, mode 0600, across restarts', () => {
    const first = SecretBox.open(dir, undefined);
    const file = path.join(dir, 'secret-key');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const sealed = first.seal('kept', 'ctx');
    fs.chmodSync(file, 0o644);
    expect(SecretBox.open(dir, undefined).unseal(sealed, 'ctx')).toBe('kept');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });
});
