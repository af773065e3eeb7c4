import fs from 'node:fs';

// Measurements of processes for the benchmarks (Linux /proc).

/** utime + stime of a process in ms (Linux /proc; 0 elsewhere). */
export function cpuMs(pid: number | undefined): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10; // clock ticks (USER_HZ = 100)
  } catch {
    return 0;
  }
}

/**
 * Wait until the services are idle (under 5% of a core over 250 ms, at most 15 s). After a job,
 * the trainer starts and warms its next spare thread, about a second of CPU: a measurement taken
 * meanwhile would share the two cores with it — whichever side is measured.
 */
export async function settle(pids: ReadonlyArray<number | undefined>): Promise<void> {
  const deadline = Date.now() + 15_000;
  const total = () => pids.reduce<number>((sum, pid) => sum + cpuMs(pid), 0);
  while (Date.now() < deadline) {
    const before = total();
    await new Promise((r) => setTimeout(r, 250));
    if (total() - before < 12.5) return;
  }
}

/** Peak resident set of a live process (Linux VmHWM), in MiB. */
export function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)\s+kB/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}
