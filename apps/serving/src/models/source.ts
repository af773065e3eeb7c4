import type { BundleManifest, ModelVersion } from '@mlops/contracts';

/**
 * Where model versions come from. Production reads the registry (`registrySource`); tests use
 * an in-memory source holding real bundle bytes, so everything after the download — checksum
 * verification, loading, warm-up, swapping — runs exactly as in production.
 *
 * Errors are AppErrors: NOT_FOUND means "the alias (or model) does not exist" and unloads the
 * model; any other code means "could not find out now" and keeps the current version serving.
 */
export interface ModelSource {
  resolve(model: string, alias: string): Promise<ModelVersion>;
  /** One version by number (NOT_FOUND when it does not exist). */
  getVersion(model: string, version: number): Promise<ModelVersion>;
  /** The number of the model's newest registered version, null when it has none. */
  newestVersion(model: string): Promise<number | null>;
  /** The bytes of every file of the manifest, by path (unverified: the loader checks sha256). */
  fetchFiles(manifest: BundleManifest): Promise<Map<string, Uint8Array>>;
  /** Names of every model that has `alias` (used when no model list is configured). */
  listModelsWithAlias(alias: string): Promise<string[]>;
}
