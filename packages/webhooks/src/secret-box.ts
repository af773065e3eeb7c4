import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const KEY_FILE = 'secret-key';
const PREFIX = 'sealed:v1:';

/**
 * Seals secrets the platform must be able to use again (webhook HMAC keys sign every delivery,
 * so they cannot be hashed) with AES-256-GCM. A database dump or a stolen SQLite file then
 * holds no usable secret without the key, which lives outside the database: MLOPS_SECRET_KEY,
 * or a file in the data directory (mode 0600) generated on first use. The context (e.g. the
 * webhook id) is authenticated data, so a sealed value copied onto another row does not open.
 */
export class SecretBox {
  private constructor(private readonly key: Buffer) {}

  /** Any string of 32+ characters; the AES key is derived from it with HKDF-SHA256. */
  static fromPassphrase(passphrase: string): SecretBox {
    if (passphrase.length < 32) throw new Error('the secret key must be at least 32 characters');
    return new SecretBox(
      Buffer.from(hkdfSync('sha256', passphrase, '', 'mlops-secret-box:v1', 32)),
    );
  }

  /** MLOPS_SECRET_KEY when given, else `<dataDir>/secret-key`, created (0600) when missing. */
  static open(dataDir: string, fromEnv: string | undefined): SecretBox {
    if (fromEnv) return SecretBox.fromPassphrase(fromEnv);
    const file = path.join(dataDir, KEY_FILE);
    fs.mkdirSync(dataDir, { recursive: true });
    try {
      fs.writeFileSync(file, randomBytes(32).toString('base64url') + '\n', {
        mode: 0o600,
        flag: 'wx',
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      // A key file copied around with a wider mode is tightened rather than trusted as is.
      fs.chmodSync(file, 0o600);
    }
    return SecretBox.fromPassphrase(fs.readFileSync(file, 'utf8').trim());
  }

  seal(plaintext: string, context: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(context));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `${PREFIX}${iv.toString('base64url')}.${tag.toString('base64url')}.${ct.toString('base64url')}`;
  }

  unseal(sealed: string, context: string): string {
    const parts = sealed.startsWith(PREFIX) ? sealed.slice(PREFIX.length).split('.') : [];
    if (parts.length !== 3) throw new Error('not a sealed secret');
    const [iv, tag, ct] = parts.map((p) => Buffer.from(p, 'base64url')) as [Buffer, Buffer, Buffer];
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
    } catch {
      throw new Error(
        'a sealed secret does not open with this key: MLOPS_SECRET_KEY (or the data directory ' +
          'secret-key file) differs from the one it was sealed with',
      );
    }
  }
}

export function isSealed(value: string): boolean {
  return value.startsWith(PREFIX);
}
