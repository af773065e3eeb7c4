import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError, externalLineage } from '@mlops/contracts';
import { createRegistryClient, toAppError } from '../src';
import { useTestRegistry } from './test-registry';

const TOKEN = 'client-test-token-0123456789';
const t = useTestRegistry('client-test', TOKEN);

describe('registry client', () => {
  it('checks health', async () => {
    expect(await t.client.health()).toBe(true);
  });

  it('uploads a dataset from a stream and reads its rows back', async () => {
    const csv = Readable.from(['a,b\n', '1,x\n', '2,y\n', '3,x\n']);
    const ds = await t.client.uploadDataset('tiny', csv, { format: 'csv' });
    expect(ds).toMatchObject({ name: 'tiny', version: 1, rowCount: 3 });
    const rows = [];
    for await (const row of t.client.datasetRows('tiny', 1)) rows.push(row);
    expect(rows).toEqual([
      [1, 'x'],
      [2, 'y'],
      [3, 'x'],
    ]);
    // The same rows as the registry's canonical JSON Lines, unparsed.
    const blocks = [];
    for await (const block of t.client.datasetLines('tiny', 1)) blocks.push(block);
    expect(Buffer.concat(blocks).toString()).toBe('[1,"x"]\n[2,"y"]\n[3,"x"]\n');
    const again = await t.client.uploadDataset('tiny', 'a,b\n1,x\n2,y\n3,x\n', { format: 'csv' });
    expect(again.id).toBe(ds.id);
  });

  it('maps REST errors to AppError with details', async () => {
    const err = await t.client
      .uploadDataset('bad', Buffer.from('a,b\n1\n'), { format: 'csv' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'BAD_DATASET', details: [{ row: 1 }] });
  });

  it('round-trips blobs with sha verification', async () => {
    const ref = await t.client.uploadBlob(Buffer.from('weights'));
    expect(ref.size).toBe(7);
    expect((await t.client.downloadBlob(ref.sha256)).toString()).toBe('weights');
    await expect(t.client.downloadBlob('0'.repeat(64))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('calls tRPC procedures and maps their errors', async () => {
    const run = await t.client.api.runs.create.mutate({
      modelName: 'tiny-model',
      dataset: { name: 'tiny' },
      task: 'classification',
      target: 'b',
    });
    expect(run.status).toBe('queued');
    expect((await t.client.api.runs.get.query({ id: run.id })).id).toBe(run.id);
    const err = toAppError(
      await t.client.api.runs.create
        .mutate({
          modelName: 'm',
          dataset: { name: 'tiny' },
          task: 'classification',
          target: 'zzz',
        })
        .catch((e: unknown) => e),
    );
    expect(err).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'target' }] });
    const anon = createRegistryClient({ url: t.url });
    const denied = toAppError(
      await anon.api.aliases.set
        .mutate({ model: 'm', alias: 'a', version: 1 })
        .catch((e: unknown) => e),
    );
    expect(denied.code).toBe('UNAUTHORIZED');
  });

  it('surfaces a refusing promotion gate as PRECONDITION_FAILED with the verdict numbers', async () => {
    const blob = await t.client.uploadBlob(Buffer.from('{"modelTopology":{}}'));
    const manifest = (accuracy: number) => ({
      formatVersion: 1 as const,
      task: 'regression' as const,
      signature: {
        inputs: [{ name: 'x', type: 'numeric' as const, nullable: false }],
        output: { task: 'regression' as const, target: 'y' },
      },
      preprocessing: {
        features: [{ kind: 'standardize' as const, column: 'x', mean: 0, std: 1, impute: 0 }],
        target: { kind: 'standardize' as const, column: 'y', mean: 0, std: 1 },
        inputWidth: 1,
      },
      metrics: { accuracy },
      lineage: externalLineage(),
      files: [{ path: 'model.json', ...blob }],
    });
    await t.client.api.policies.set.mutate({
      model: 'gated',
      metric: 'accuracy',
      greaterIsBetter: true,
      threshold: 0.9,
      // Judged on the claim, to check how the client maps the refusal's details.
      requirePlatformMetrics: false,
    });
    const v = await t.client.api.versions.create.mutate({
      model: 'gated',
      manifest: manifest(0.5),
    });
    const err = toAppError(
      await t.client.api.aliases.set
        .mutate({ model: 'gated', alias: 'champion', version: v.version })
        .catch((e: unknown) => e),
    );
    expect(err.code).toBe('PRECONDITION_FAILED');
    expect(err.details).toEqual(
      expect.arrayContaining([
        { path: 'gate.threshold', message: 'failed: accuracy 0.5 must be >= 0.9' },
      ]),
    );
    const { token } = await t.client.api.tokens.create.mutate({ name: 'reader', scopes: ['read'] });
    const reader = createRegistryClient({ url: t.url, token });
    const forbidden = toAppError(
      await reader.uploadBlob(Buffer.from('x')).catch((e: unknown) => e),
    );
    expect(forbidden.code).toBe('FORBIDDEN');
    // Reads need the `read` scope: the client sends its token on REST reads too.
    expect((await reader.downloadBlob(blob.sha256)).toString()).toBe('{"modelTopology":{}}');
    const anon = createRegistryClient({ url: t.url });
    const unauthorized = toAppError(await anon.downloadBlob(blob.sha256).catch((e: unknown) => e));
    expect(unauthorized.code).toBe('UNAUTHORIZED');
  });

  it('reports an unreachable registry as UNAVAILABLE naming the URL', async () => {
    const dead = createRegistryClient({ url: 'http://127.0.0.1:1' });
    expect(await dead.health()).toBe(false);
    const viaTrpc = toAppError(await dead.api.models.list.query({}).catch((e: unknown) => e));
    expect(viaTrpc.code).toBe('UNAVAILABLE');
    expect(viaTrpc.message).toContain('http://127.0.0.1:1');
    await expect(dead.uploadBlob(Buffer.from('x'))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });
});
