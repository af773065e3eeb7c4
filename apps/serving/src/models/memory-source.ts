import { AppError, type BundleManifest, type ModelVersion } from '@mlops/contracts';
import type { ModelSource } from './source';

/**
 * A registry in memory: versions, aliases and content-addressed blobs. Used by tests and local
 * benchmarks; it returns stored bytes as they are, so a blob stored under the wrong sha256 is
 * caught by the loader's verification exactly as a corrupt download would be.
 */
export class MemoryModelSource implements ModelSource {
  private readonly versions = new Map<string, Map<number, ModelVersion>>();
  private readonly aliases = new Map<string, Map<string, number>>();
  private readonly blobs = new Map<string, Uint8Array>();
  /** When set, every call fails with this error (simulates the registry being down). */
  failWith: AppError | null = null;

  putBlob(sha256: string, bytes: Uint8Array): void {
    this.blobs.set(sha256, bytes);
  }

  addVersion(model: string, version: number, manifest: BundleManifest): ModelVersion {
    const mv: ModelVersion = {
      model,
      version,
      manifest,
      claimedMetrics: manifest.metrics,
      platformMetrics: null,
      modelTests: null,
      aliases: [],
      createdAt: new Date().toISOString(),
    };
    let byVersion = this.versions.get(model);
    if (!byVersion) this.versions.set(model, (byVersion = new Map<number, ModelVersion>()));
    byVersion.set(version, mv);
    return mv;
  }

  setAlias(model: string, alias: string, version: number | null): void {
    let byAlias = this.aliases.get(model);
    if (!byAlias) this.aliases.set(model, (byAlias = new Map<string, number>()));
    if (version === null) byAlias.delete(alias);
    else byAlias.set(alias, version);
  }

  resolve(model: string, alias: string): Promise<ModelVersion> {
    if (this.failWith) return Promise.reject(this.failWith);
    const version = this.aliases.get(model)?.get(alias);
    const mv = version === undefined ? undefined : this.versions.get(model)?.get(version);
    if (!mv) {
      return Promise.reject(
        new AppError('NOT_FOUND', `Model "${model}" has no alias "${alias}": set it first`),
      );
    }
    const aliases = [...(this.aliases.get(model) ?? [])]
      .filter(([, v]) => v === mv.version)
      .map(([a]) => a);
    return Promise.resolve({ ...mv, aliases });
  }

  getVersion(model: string, version: number): Promise<ModelVersion> {
    if (this.failWith) return Promise.reject(this.failWith);
    const mv = this.versions.get(model)?.get(version);
    if (!mv) {
      return Promise.reject(
        new AppError('NOT_FOUND', `Model "${model}" has no version ${version}`),
      );
    }
    const aliases = [...(this.aliases.get(model) ?? [])]
      .filter(([, v]) => v === version)
      .map(([a]) => a);
    return Promise.resolve({ ...mv, aliases });
  }

  newestVersion(model: string): Promise<number | null> {
    if (this.failWith) return Promise.reject(this.failWith);
    const numbers = [...(this.versions.get(model)?.keys() ?? [])];
    return Promise.resolve(numbers.length > 0 ? Math.max(...numbers) : null);
  }

  fetchFiles(manifest: BundleManifest): Promise<Map<string, Uint8Array>> {
    if (this.failWith) return Promise.reject(this.failWith);
    const files = new Map<string, Uint8Array>();
    for (const file of manifest.files) {
      const bytes = this.blobs.get(file.sha256);
      if (!bytes) {
        return Promise.reject(new AppError('NOT_FOUND', `Blob ${file.sha256} is not stored`));
      }
      files.set(file.path, bytes);
    }
    return Promise.resolve(files);
  }

  listModelsWithAlias(alias: string): Promise<string[]> {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(
      [...this.aliases].filter(([, byAlias]) => byAlias.has(alias)).map(([model]) => model),
    );
  }
}
