import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
// The real registry in this process; the CLI runs as a real child process against it.
import { startTestRegistry, type TestRegistry } from '@mlops/registry/testing';
import { cliRunner } from '@mlops/cli/testing';

const TOKEN = 'cli-test-token-0123456789abcdef';

/** The first dataset of the CLI suites: a table with a numeric and two categorical columns. */
export const FLOWERS_CSV = 'size,colour,kind\n1.5,red,a\n2.5,blue,b\n3.5,red,a\n';

/**
 * A registry for one test file (started in `beforeAll`, closed in `afterAll`), a temp working
 * directory, and `mlops` bound to both. Serving points at a port where nothing answers.
 */
export function useCliRegistry(name: string) {
  let dir = '';
  let registry: TestRegistry | undefined;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), `${name}-`));
    registry = await startTestRegistry({ token: TOKEN, maxUploadBytes: 1024 ** 2, name });
  });
  afterAll(async () => {
    await registry?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const mlops = cliRunner({
    registryUrl: () => registry?.url ?? '',
    cwd: () => dir,
    token: TOKEN,
    env: { SERVING_URL: 'http://127.0.0.1:9' },
  });
  return {
    mlops,
    /** The working directory (set once `beforeAll` ran). */
    dir: () => dir,
    /** Writes `text` to `name` in the working directory; its path. */
    write: (file: string, text: string): string => {
      const at = path.join(dir, file);
      fs.writeFileSync(at, text);
      return at;
    },
  };
}
