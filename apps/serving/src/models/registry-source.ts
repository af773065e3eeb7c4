import type { Model, ModelVersion } from '@mlops/contracts';
import { toAppError } from '@mlops/client';
import type { ModelSource } from './source';

/**
 * The part of `RegistryClient` (from `@mlops/client`) that serving uses. Declared structurally
 * so serving depends on the few calls it makes, not on the registry's whole router type.
 */
export interface RegistryReader {
  api: {
    models: { list: { query(input: { limit?: number }): Promise<Model[]> } };
    versions: {
      resolve: { query(input: { model: string; alias: string }): Promise<ModelVersion> };
      get: { query(input: { model: string; version: number }): Promise<ModelVersion> };
      list: { query(input: { model: string; limit?: number }): Promise<ModelVersion[]> };
    };
  };
  downloadBlob(sha256: string): Promise<Buffer>;
}

/** The registry's listing is capped at 500 per call (contracts `listLimit`). */
const MODEL_LIST_LIMIT = 500;

export function registrySource(client: RegistryReader): ModelSource {
  return {
    async resolve(model, alias) {
      try {
        return await client.api.versions.resolve.query({ model, alias });
      } catch (err) {
        throw toAppError(err);
      }
    },
    async getVersion(model, version) {
      try {
        return await client.api.versions.get.query({ model, version });
      } catch (err) {
        throw toAppError(err);
      }
    },
    async newestVersion(model) {
      try {
        // The listing is newest first: a deleted newest version is not named, as a counter would.
        const [newest] = await client.api.versions.list.query({ model, limit: 1 });
        return newest?.version ?? null;
      } catch (err) {
        throw toAppError(err);
      }
    },
    async fetchFiles(manifest) {
      try {
        // downloadBlob verifies each sha256; the loader verifies again against the manifest.
        const entries = await Promise.all(
          manifest.files.map(
            async (file) =>
              [file.path, new Uint8Array(await client.downloadBlob(file.sha256))] as const,
          ),
        );
        return new Map(entries);
      } catch (err) {
        throw toAppError(err);
      }
    },
    async listModelsWithAlias(alias) {
      try {
        const models = await client.api.models.list.query({ limit: MODEL_LIST_LIMIT });
        return models.filter((m) => m.aliases[alias] !== undefined).map((m) => m.name);
      } catch (err) {
        throw toAppError(err);
      }
    },
  };
}
