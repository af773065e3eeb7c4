import { decodeCheckpoint, type Checkpoint } from '../train/checkpoint';

// The training thread's half of resume (the host's is ../train/resume.ts): decoding takes TF.js.

type Log = (level: 'info' | 'warn', msg: string, fields: Record<string, unknown>) => void;

/** Thread side: decode the run's checkpoint, or undefined (logged) when it is not usable. */
export function openRunCheckpoint(
  bytes: Uint8Array | undefined,
  runId: string,
  log: Log,
): Checkpoint | undefined {
  if (!bytes) return undefined;
  try {
    const cp = decodeCheckpoint(bytes);
    if (cp.runId !== runId) throw new Error(`it belongs to run ${cp.runId}`);
    log('info', 'resuming from checkpoint', { runId, epoch: cp.state.epoch });
    return cp;
  } catch (err) {
    log('warn', 'checkpoint unusable: training from epoch 0', {
      runId,
      err: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
}

/** Thread side: when the next checkpoint is due (it is only counted once the host stored it). */
export class CheckpointSchedule {
  /**
   * The clock starts with the fit: the first checkpoint comes one interval in, so a job shorter
   * than the interval never pays for one — redoing it after a crash costs less than saving it.
   */
  private lastAt = Date.now();

  constructor(
    /** At most one checkpoint per this many ms (0 = every epoch); the last epoch never needs one. */
    private readonly intervalMs: number,
    private readonly epochs: number,
  ) {}

  due(epoch: number): boolean {
    if (epoch >= this.epochs) return false;
    return Date.now() - this.lastAt >= this.intervalMs;
  }

  stored(): void {
    this.lastAt = Date.now();
  }
}
