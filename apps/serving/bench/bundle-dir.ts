import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleManifestSchema, type BundleManifest } from '@mlops/contracts';
import { sha256Hex } from '@mlops/ml/bundle';
import { MemoryModelSource } from '../src/models/memory-source';
import { BundleFactory } from '../test/support/bundle';

/** Train the benchmark's small MLP once and write its bundle to `dir` (manifest + files). */
export async function writeBenchBundle(dir: string): Promise<void> {
  const factory = new BundleFactory();
  const bundle = await factory.next(5);
  factory.dispose();
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'manifest.json'), JSON.stringify(bundle.manifest));
  for (const f of bundle.files) await writeFile(join(dir, f.path), f.bytes);
}

export async function readBenchBundle(
  dir: string,
): Promise<{ manifest: BundleManifest; files: Map<string, Uint8Array> }> {
  const manifest = bundleManifestSchema.parse(
    JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')),
  );
  const files = new Map<string, Uint8Array>();
  for (const f of manifest.files)
    files.set(f.path, new Uint8Array(await readFile(join(dir, f.path))));
  return { manifest, files };
}

/** A memory registry holding the bundle as version 1 of `iris`, alias champion. */
export async function benchSource(dir: string): Promise<MemoryModelSource> {
  const { manifest, files } = await readBenchBundle(dir);
  const source = new MemoryModelSource();
  for (const bytes of files.values()) source.putBlob(sha256Hex(bytes), bytes);
  source.addVersion('iris', 1, manifest);
  source.setAlias('iris', 'champion', 1);
  return source;
}

/** The server processes print one line `{"port": N}` on stdout once they answer. */
export function announce(port: number): void {
  process.stdout.write(`${JSON.stringify({ port })}\n`);
}
