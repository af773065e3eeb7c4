import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { monitorHistorySchema, predictResponseSchema, redisKeys } from '@mlops/contracts';
import { SETOSA, trainIris } from '../../lib/iris-model';
import { startStack, type Stack } from '../../lib/stack';
import { sleep, waitFor } from '../../lib/wait';

/**
 * Issue #16 item 2, replayed on real processes: anonymous ground truth, labels filed for guessed
 * or someone else's prediction ids, and 25 wrong labels that retrained and promoted a poisoned
 * model (audited as "admin") with MONITOR_RETRAIN_ON=quality. Now: feedback needs the
 * `feedback` scope and the principal the prediction was served to, retraining waits for a
 * person to enable it per model, and the monitor's promotion is audited as service:monitor.
 */
let stack: Stack;
let serving: string;
let monitor: string;
let events: Redis;
const seen: Array<{ type: string; model?: string }> = [];
const tokens = { alice: '', bob: '', predictOnly: '' };

beforeAll(async () => {
  stack = await startStack({
    label: 'sec-feedback',
    apps: ['trainer', 'serving', 'monitor'],
    env: { MLOPS_TOKEN_CACHE_MS: '300', SERVING_RECONCILE_MS: '1000', MONITOR_POLL_MS: '200' },
    appEnv: {
      // What the attack had: quality-triggered retraining with the dataset plus feedback.
      monitor: {
        MONITOR_RETRAIN_ON: 'quality',
        MONITOR_RETRAIN_MIN_FEEDBACK: '20',
        MONITOR_RETRAIN_MIN_ACCURACY: '0.8',
        MONITOR_RETRAIN_APPEND_FEEDBACK: 'true',
      },
    },
  });
  serving = stack.urls.serving!;
  monitor = stack.urls.monitor!;
  events = new Redis(stack.redisUrl);
  await events.subscribe(redisKeys(stack.prefix).events);
  events.on('message', (_channel, message) => seen.push(JSON.parse(message) as never));

  const v1 = await trainIris(stack.admin);
  await stack.admin.api.aliases.set.mutate({ model: 'iris', version: v1, alias: 'champion' });
  const mint = async (name: string, scopes: Array<'predict' | 'feedback'>) =>
    (await stack.admin.api.tokens.create.mutate({ name, scopes })).token;
  tokens.alice = await mint('alice', ['predict', 'feedback']);
  tokens.bob = await mint('bob', ['predict', 'feedback']);
  tokens.predictOnly = await mint('app', ['predict']);
  await waitFor('serving to load iris v1', async () => {
    const res = await predictAs(tokens.alice, 1);
    return res.ids.length === 1 ? true : undefined;
  });
}, 300_000);
afterAll(async () => {
  events?.disconnect();
  await stack?.close();
});

async function predictAs(token: string, rows: number) {
  const res = await fetch(`${serving}/v1/models/iris:predict?format=platform`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ instances: Array.from({ length: rows }, () => SETOSA) }),
  });
  if (!res.ok) throw new Error(`predict answered ${res.status}: ${await res.text()}`);
  const body = predictResponseSchema.parse(await res.json());
  return { ids: body.predictionIds, version: body.model.version };
}

async function feedback(
  token: string | null,
  items: Array<{ predictionId: string; label: string }>,
) {
  const res = await fetch(`${monitor}/v1/feedback`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ items }),
  });
  return { status: res.status, text: await res.text() };
}

async function history(token: string) {
  const res = await fetch(
    `${monitor}/trpc/history?input=${encodeURIComponent(JSON.stringify({ model: 'iris' }))}`,
    { headers: { authorization: `Bearer ${token}` } },
  );
  if (!res.ok) throw new Error(`history answered ${res.status}: ${await res.text()}`);
  return monitorHistorySchema.parse(
    ((await res.json()) as { result: { data: unknown } }).result.data,
  );
}

describe('feedback needs the feedback scope and the principal served', () => {
  it('answers 401 to anonymous or made-up tokens, 403 without the feedback scope', async () => {
    const { ids } = await predictAs(tokens.alice, 1);
    const items = [{ predictionId: ids[0]!, label: 'virginica' }];
    expect((await feedback(null, items)).status).toBe(401);
    expect((await feedback('mlops_made_up_token_0123456789', items)).status).toBe(401);
    expect((await feedback(tokens.predictOnly, items)).status).toBe(403);
    // Reports are reads: no token, no report.
    expect((await fetch(`${monitor}/v1/drift/iris`)).status).toBe(401);
  });

  it('refuses a guessed id, naming it', async () => {
    const guessed = `${'3f9c'.repeat(6)}-0`;
    const res = await feedback(tokens.alice, [{ predictionId: guessed, label: 'virginica' }]);
    expect(res.status).toBe(404);
    expect(res.text).toContain(guessed);
  });

  it("refuses feedback for someone else's prediction, and takes the owner's", async () => {
    const { ids } = await predictAs(tokens.alice, 1);
    const stolen = await feedback(tokens.bob, [{ predictionId: ids[0]!, label: 'virginica' }]);
    expect(stolen.status).toBe(403);
    expect(stolen.text).toContain(ids[0]!);
    expect(stolen.text).toContain('not served to');
    const own = await feedback(tokens.alice, [{ predictionId: ids[0]!, label: 'setosa' }]);
    expect(own.status).toBe(200);
    const metrics = await (await fetch(`${monitor}/metrics`)).text();
    expect(metrics).toMatch(/monitor_feedback_refused_total\{reason="not-yours"\} [1-9]/);
    expect(metrics).toMatch(/monitor_feedback_refused_total\{reason="unknown"\} [1-9]/);
  });
});

describe('retraining on feedback is off until a person enables it', () => {
  it('does not retrain a model nobody enabled, whatever 25 wrong labels say', async () => {
    const { ids } = await predictAs(tokens.alice, 25);
    const res = await feedback(
      tokens.alice,
      ids.map((predictionId) => ({ predictionId, label: 'virginica' })),
    );
    expect(res.status).toBe(200);
    // The monitor saw the decay (it alerts right before it would retrain)…
    await waitFor('the quality alert', () =>
      Promise.resolve(
        seen.some((e) => e.type === 'quality.degraded' && e.model === 'iris') ? true : undefined,
      ),
    );
    await sleep(1_000); // a few evaluation cycles (MONITOR_POLL_MS=200)
    // …and retrained nothing: no retraining record, no run besides the first.
    expect((await history(stack.adminToken)).retraining).toEqual([]);
    expect(await stack.admin.api.runs.list.query({ model: 'iris' })).toHaveLength(1);
  });

  it('retrains once enabled, and audits the promotion as service:monitor with its trigger', async () => {
    const url = `${monitor}/v1/models/iris/retraining`;
    const put = (token: string) =>
      fetch(url, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ enabled: true, reason: 'labels come from our own annotators' }),
      });
    expect((await put(tokens.alice)).status).toBe(403); // feedback is not promote
    expect((await put(stack.adminToken)).status).toBe(200);

    // New wrong labels move the live quality again, so the monitor re-evaluates.
    const { ids } = await predictAs(tokens.alice, 5);
    expect(
      (
        await feedback(
          tokens.alice,
          ids.map((predictionId) => ({ predictionId, label: 'virginica' })),
        )
      ).status,
    ).toBe(200);
    const record = await waitFor(
      'the monitor to retrain and promote',
      async () => {
        const latest = (await history(stack.adminToken)).retraining[0];
        return latest && ['promoted', 'rejected', 'failed'].includes(latest.status)
          ? latest
          : undefined;
      },
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    expect(record).toMatchObject({ status: 'promoted', trigger: 'quality' });
    const audit = await stack.admin.api.aliases.history.query({ model: 'iris', alias: 'champion' });
    const move = audit.items.find((e) => e.to === record.version);
    expect(move?.actor).toBe('service:monitor');
    expect(move?.reason).toMatch(/trigger quality/);
  });
});
