import type { Run, RunCheckpoint } from '@mlops/contracts';
import type { Logger } from '@mlops/config';
import { sha256Hex } from '@mlops/ml/bundle';
import type { TrainerRegistry } from '../registry';
import { asAppError } from '../errors';
import { decodeCheckpoint, type Checkpoint } from './checkpoint';

/**
 * The checkpoint recorded on the run by an earlier attempt (a worker that died or shut down),
 * or undefined to start from epoch zero. A checkpoint that cannot be read is skipped, not
 * fatal: starting over is slower but still correct.
 */
export async function loadRunCheckpoint(
  registry: Pick<TrainerRegistry, 'downloadBlob'>,
  run: Run,
  logger: Logger,
): Promise<Checkpoint | undefined> {
  const ref = run.progress?.checkpoint;
  if (!ref) return undefined;
  try {
    const bytes = await registry.downloadBlob(ref.sha256);
    const cp = decodeCheckpoint(new Uint8Array(bytes));
    if (cp.runId !== run.id) throw new Error(`it belongs to run ${cp.runId}`);
    logger.info({ runId: run.id, epoch: cp.state.epoch }, 'resuming from checkpoint');
    return cp;
  } catch (err) {
    logger.warn(
      { runId: run.id, sha256: ref.sha256, err: asAppError(err).message },
      'checkpoint unusable: training from epoch 0',
    );
    return undefined;
  }
}

/** Uploads checkpoints and remembers the newest, which every progress report then carries. */
export class CheckpointSaver {
  latest: RunCheckpoint | undefined;
  private lastAt = 0;

  constructor(
    private readonly registry: Pick<TrainerRegistry, 'uploadBlob'>,
    private readonly logger: Logger,
    /** At most one checkpoint per this many ms (0 = every epoch); the last epoch never needs one. */
    private readonly intervalMs: number,
    private readonly epochs: number,
  ) {}

  due(epoch: number): boolean {
    if (epoch >= this.epochs) return false;
    return Date.now() - this.lastAt >= this.intervalMs;
  }

  /** A failed upload is logged, not thrown: a checkpoint is insurance, not the job's result. */
  async save(bytes: Uint8Array, epoch: number): Promise<void> {
    try {
      const ref = await this.registry.uploadBlob(bytes);
      if (ref.sha256 !== sha256Hex(bytes)) {
        throw new Error(`registry stored the checkpoint as ${ref.sha256}`);
      }
      this.latest = { sha256: ref.sha256, size: ref.size, epoch };
      this.lastAt = Date.now();
    } catch (err) {
      this.logger.warn({ epoch, err: asAppError(err).message }, 'checkpoint upload failed');
    }
  }
}
