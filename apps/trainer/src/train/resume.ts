import type { Run, RunCheckpoint } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { sha256Hex } from '@mlops/ml/bundle';
import type { TrainerRegistry } from '../registry';
import { asAppError } from '../errors';

// Checkpoints cross the thread boundary as bytes: the host (the job's thread) downloads and
// uploads them here; the training thread decodes and encodes them (../thread/resume.ts).

/**
 * Host side: the bytes of the checkpoint an earlier attempt (a worker that died or shut down)
 * recorded on the run, or undefined to start from epoch zero. A checkpoint that cannot be fetched
 * is skipped, not fatal: starting over is slower but still correct.
 */
export async function downloadRunCheckpoint(
  registry: Pick<TrainerRegistry, 'downloadBlob'>,
  run: Run,
  logger: Logger,
): Promise<Uint8Array | undefined> {
  const ref = run.progress?.checkpoint;
  if (!ref) return undefined;
  try {
    // A copy of its own: a Buffer may be a view into a pool, which cannot be transferred.
    return new Uint8Array(await registry.downloadBlob(ref.sha256));
  } catch (err) {
    logger.warn(
      { runId: run.id, sha256: ref.sha256, err: asAppError(err).message },
      'checkpoint unusable: training from epoch 0',
    );
    return undefined;
  }
}

/** Host side: uploads checkpoints and remembers the newest, which progress reports carry. */
export class CheckpointSaver {
  latest: RunCheckpoint | undefined;

  constructor(
    private readonly registry: Pick<TrainerRegistry, 'uploadBlob'>,
    private readonly logger: Logger,
  ) {}

  /**
   * True when stored. A failed upload is logged, not thrown: a checkpoint is insurance, not the
   * job's result (the schedule retries at the next epoch).
   */
  async save(bytes: Uint8Array, epoch: number): Promise<boolean> {
    try {
      const ref = await this.registry.uploadBlob(bytes);
      if (ref.sha256 !== sha256Hex(bytes)) {
        throw new Error(`registry stored the checkpoint as ${ref.sha256}`);
      }
      this.latest = { sha256: ref.sha256, size: ref.size, epoch };
      return true;
    } catch (err) {
      this.logger.warn({ epoch, err: asAppError(err).message }, 'checkpoint upload failed');
      return false;
    }
  }
}
