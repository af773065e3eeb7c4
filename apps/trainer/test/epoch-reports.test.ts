import { describe, expect, it } from 'vitest';
import { EpochReports } from '../src/thread/epoch-reports';
import type { EpochReport } from '../src/train/fit';

const report = (epoch: number): EpochReport => ({
  epoch,
  epochs: 10,
  loss: 1 / epoch,
  valLoss: null,
  samplesPerSecond: 100,
});

/** A `send` whose calls stay pending until the test settles them. */
function manualSend() {
  const calls: Array<{ epoch: number; resolve: () => void; reject: (err: Error) => void }> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const send = (r: EpochReport) =>
    new Promise<void>((resolve, reject) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      const done = () => inFlight--;
      calls.push({
        epoch: r.epoch,
        resolve: () => (done(), resolve()),
        reject: (err) => (done(), reject(err)),
      });
    });
  return { send, calls, maxInFlight: () => maxInFlight };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('epoch reports (host side, not awaited by the fit)', () => {
  it('hands the losses of replaced reports to the one that is sent', async () => {
    const sent: EpochReport[] = [];
    let release: () => void = () => undefined;
    const reports = new EpochReports(
      (r) => {
        sent.push(r);
        return new Promise<void>((resolve) => (release = resolve));
      },
      () => undefined,
    );
    for (const epoch of [1, 2, 3, 4]) reports.push(report(epoch));
    await tick();
    release();
    await tick();
    expect(sent.map((r) => r.epoch)).toEqual([1, 4]);
    // 2 and 3 were never sent: their losses ride on 4, so the run's curve has every epoch.
    expect(sent[1]!.earlier).toEqual([
      { epoch: 2, loss: 1 / 2, valLoss: null },
      { epoch: 3, loss: 1 / 3, valLoss: null },
    ]);
    release();
    await reports.delivered();
  });

  it('sends one at a time, in order, and only the newest of those that piled up', async () => {
    const { send, calls, maxInFlight } = manualSend();
    const failures: Error[] = [];
    const reports = new EpochReports(send, (err) => failures.push(err));
    reports.push(report(1));
    reports.push(report(2));
    reports.push(report(3));
    await tick();
    expect(calls.map((c) => c.epoch)).toEqual([1]);
    calls[0]!.resolve();
    await tick();
    // 2 was replaced by 3 while 1 was on its way.
    expect(calls.map((c) => c.epoch)).toEqual([1, 3]);
    let delivered = false;
    void reports.delivered().then(() => (delivered = true));
    reports.push(report(4));
    await tick();
    expect(delivered).toBe(false);
    calls[1]!.resolve();
    await tick();
    expect(calls.map((c) => c.epoch)).toEqual([1, 3, 4]);
    expect(delivered).toBe(false);
    calls[2]!.resolve();
    await tick();
    expect(delivered).toBe(true);
    expect(maxInFlight()).toBe(1);
    expect(failures).toEqual([]);
  });

  it('hands a failure on once and sends nothing after it', async () => {
    const { send, calls } = manualSend();
    const failures: Error[] = [];
    const reports = new EpochReports(send, (err) => failures.push(err));
    reports.push(report(1));
    reports.push(report(2));
    const refused = new Error('run is cancelled');
    calls[0]!.reject(refused);
    // delivered() settles without rejecting: the failure went to onFailed.
    await reports.delivered();
    expect(failures).toEqual([refused]);
    reports.push(report(3));
    await tick();
    expect(calls.map((c) => c.epoch)).toEqual([1]);
    await reports.delivered();
  });

  it('is delivered at once when nothing was pushed', async () => {
    const reports = new EpochReports(
      () => Promise.resolve(),
      () => undefined,
    );
    await expect(reports.delivered()).resolves.toBeUndefined();
  });
});
