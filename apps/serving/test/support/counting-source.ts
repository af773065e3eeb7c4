import type { BundleManifest, ModelVersion } from '@mlops/contracts';
import { MemoryModelSource } from '../../src/models/memory-source';

/** A gate that holds calls until `release()`; `hold()` arms it again. */
class Gate {
  private held: Promise<void> | null = null;
  release: () => void = () => undefined;

  hold(): void {
    this.held = new Promise<void>((resolve) => {
      this.release = () => {
        this.held = null;
        resolve();
      };
    });
  }

  async pass(): Promise<void> {
    if (this.held) await this.held;
  }
}

/**
 * The in-memory registry, counting the bundles serving downloads (a swap to a warm version must
 * not download) and the versions it reads, and able to hold alias resolutions (a slow registry)
 * or downloads (a slow artifact store) until released.
 */
export class CountingSource extends MemoryModelSource {
  downloads = 0;
  versionReads = 0;
  readonly resolves = new Gate();
  readonly fetches = new Gate();

  /** Hold alias resolutions until `release()`. */
  hold(): void {
    this.resolves.hold();
  }

  release(): void {
    this.resolves.release();
  }

  /** A held resolution answers what the alias was when asked, as a slow registry would. */
  override async resolve(model: string, alias: string): Promise<ModelVersion> {
    const answer = super.resolve(model, alias);
    await this.resolves.pass();
    return answer;
  }

  override getVersion(model: string, version: number): Promise<ModelVersion> {
    this.versionReads += 1;
    return super.getVersion(model, version);
  }

  override async fetchFiles(manifest: BundleManifest): Promise<Map<string, Uint8Array>> {
    this.downloads += 1;
    await this.fetches.pass();
    return super.fetchFiles(manifest);
  }
}
