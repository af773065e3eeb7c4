import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { irisRun, trpc, type TestRegistry } from './helpers';
import { manifestWith, startSeededRegistry } from './seed';
import * as ex from './spec-examples/mlflow-registry';

// The MLflow model registry API driven with the requests of MLflow's REST reference
// (spec-examples/mlflow-registry.ts), on a real registry (SQLite, Redis, artifact store).

let r: TestRegistry;
let file: { sha256: string; size: number };
let runId: string;

beforeAll(async () => {
  ({ r, file } = await startSeededRegistry());
});
afterAll(async () => {
  await r.close();
});

const API = '/api/2.0/mlflow';

/** A call as MLflow's client makes it: GET with a query string, other methods with JSON. */
async function ml(
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  path: string,
  message: Record<string, unknown> = {},
  headers: Record<string, string> = r.auth,
) {
  const res =
    method === 'GET'
      ? await r.app.inject({ method, url: `${API}${path}`, query: toQuery(message), headers })
      : await r.app.inject({
          method,
          url: `${API}${path}`,
          payload: JSON.stringify(message),
          headers: { ...headers, 'content-type': 'application/json' },
        });
  return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
}

function toQuery(message: Record<string, unknown>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(message).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]),
  );
}

type Json = Record<string, unknown>;
const model = (b: Json) => b.registered_model as Json;
const version = (b: Json) => b.model_version as Json;

describe('registered models, from the reference requests', () => {
  it('creates one with tags and a description, and refuses the same name again', async () => {
    const res = await ml('POST', '/registered-models/create', ex.createRegisteredModel);
    expect(res.status).toBe(200);
    expect(Object.keys(model(res.body))).toEqual(expect.arrayContaining(ex.registeredModelFields));
    expect(model(res.body)).toMatchObject({
      name: ex.MODEL,
      description: 'Classifies irises',
      tags: [{ key: 'team', value: 'fraud' }],
    });
    expect(model(res.body).latest_versions).toBeUndefined();
    expect(typeof model(res.body).creation_timestamp).toBe('number');

    const again = await ml('POST', '/registered-models/create', ex.createRegisteredModel);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({
      error_code: 'RESOURCE_ALREADY_EXISTS',
      message: `Registered Model (name=${ex.MODEL}) already exists.`,
    });
  });

  it('gets (GET query string), updates the description and sets and deletes tags', async () => {
    expect((await ml('PATCH', '/registered-models/update', ex.updateRegisteredModel)).status).toBe(
      200,
    );
    expect((await ml('POST', '/registered-models/set-tag', ex.setRegisteredModelTag)).body).toEqual(
      {},
    );
    const got = await ml('GET', '/registered-models/get', { name: ex.MODEL });
    expect(model(got.body)).toMatchObject({
      description: 'Classifies iris flowers',
      tags: [
        { key: 'owner', value: 'ml-team' },
        { key: 'team', value: 'fraud' },
      ],
    });
    const del = await ml('DELETE', '/registered-models/delete-tag', ex.deleteRegisteredModelTag);
    expect(del.status).toBe(200);
    const gone = await ml('DELETE', '/registered-models/delete-tag', ex.deleteRegisteredModelTag);
    expect(gone.status).toBe(404);
    expect(gone.body.error_code).toBe('RESOURCE_DOES_NOT_EXIST');
  });
});

describe('model versions', () => {
  it("registers a run's bundle from source runs:/<run>/model", async () => {
    const run = await trpc(r.app, 'mutation', 'runs.create', irisRun(ex.MODEL), r.auth);
    runId = (run.data as { id: string }).id;
    // What the trainer does when the run completes: register the run's bundle.
    const registered = await trpc(
      r.app,
      'mutation',
      'versions.create',
      { model: ex.MODEL, manifest: manifestWith(file), runId },
      r.auth,
    );
    expect(registered.data).toMatchObject({ version: 1 });

    const message = JSON.parse(
      JSON.stringify(ex.createModelVersion).replaceAll('RUN_ID', runId),
    ) as Json;
    const res = await ml('POST', '/model-versions/create', message);
    expect(res.status).toBe(200);
    expect(Object.keys(version(res.body))).toEqual(expect.arrayContaining(ex.modelVersionFields));
    expect(version(res.body)).toMatchObject({
      name: ex.MODEL,
      version: '1',
      source: `runs:/${runId}/model`,
      run_id: runId,
      current_stage: 'None',
      status: 'READY',
      description: 'First version',
      tags: [{ key: 'validated', value: 'true' }],
    });
  });

  it('gets, updates, tags and names the download URI of a version', async () => {
    expect((await ml('PATCH', '/model-versions/update', ex.updateModelVersion)).status).toBe(200);
    expect((await ml('POST', '/model-versions/set-tag', ex.setModelVersionTag)).status).toBe(200);
    const got = await ml('GET', '/model-versions/get', ex.getModelVersion);
    expect(version(got.body)).toMatchObject({
      description: 'Best so far',
      tags: [
        { key: 'stage', value: 'qa' },
        { key: 'validated', value: 'true' },
      ],
    });
    const uri = await ml('GET', '/model-versions/get-download-uri', ex.getModelVersion);
    expect(uri.body).toEqual({ artifact_uri: `models:/${ex.MODEL}/1` });
  });

  it('sets an alias (audited), reads a version by it and deletes it', async () => {
    expect((await ml('POST', '/registered-models/alias', ex.setRegisteredModelAlias)).body).toEqual(
      {},
    );
    const byAlias = await ml('GET', '/registered-models/alias', ex.getModelVersionByAlias);
    expect(version(byAlias.body)).toMatchObject({ version: '1', aliases: ['champion'] });
    const m = await ml('GET', '/registered-models/get', { name: ex.MODEL });
    expect(model(m.body).aliases).toEqual([{ alias: 'champion', version: '1' }]);
    expect((model(m.body).latest_versions as Json[])[0]).toMatchObject({ version: '1' });

    const history = await trpc(r.app, 'query', 'aliases.history', { model: ex.MODEL }, r.auth);
    expect((history.data as { items: Json[] }).items[0]).toMatchObject({
      alias: 'champion',
      to: 1,
      actor: 'admin',
      reason: 'MLflow API',
    });
  });

  it('copies a version into another model from models:/<name>@<alias>', async () => {
    await ml('POST', '/registered-models/create', { name: 'my-model-copy' });
    const res = await ml('POST', '/model-versions/create', {
      name: 'my-model-copy',
      source: `models:/${ex.MODEL}@champion`,
    });
    expect(version(res.body)).toMatchObject({ name: 'my-model-copy', version: '1' });
  });

  it('searches models and versions with the reference filters, and pages', async () => {
    const models = await ml('GET', '/registered-models/search', ex.searchRegisteredModels);
    expect((models.body.registered_models as Json[]).map((m) => m.name)).toEqual([
      'my-model',
      'my-model-copy',
    ]);
    const first = await ml('GET', '/registered-models/search', { max_results: '1' });
    expect((first.body.registered_models as Json[]).map((m) => m.name)).toEqual(['my-model']);
    const next = await ml('GET', '/registered-models/search', {
      max_results: '1',
      page_token: first.body.next_page_token,
    });
    expect((next.body.registered_models as Json[]).map((m) => m.name)).toEqual(['my-model-copy']);
    const tagged = await ml('GET', '/registered-models/search', { filter: "tags.team = 'fraud'" });
    expect((tagged.body.registered_models as Json[]).map((m) => m.name)).toEqual(['my-model']);

    const versions = await ml('GET', '/model-versions/search', ex.searchModelVersions);
    expect((versions.body.model_versions as Json[]).map((v) => [v.name, v.version])).toEqual([
      ['my-model', '1'],
    ]);
    const byRun = await ml('GET', '/model-versions/search', { filter: `run_id = '${runId}'` });
    expect((byRun.body.model_versions as Json[]).map((v) => v.name)).toEqual(['my-model']);
  });

  it('answers the latest version for stage None (POST and GET), nothing for other stages', async () => {
    const post = await ml('POST', '/registered-models/get-latest-versions', ex.getLatestVersions);
    expect((post.body.model_versions as Json[]).map((v) => v.version)).toEqual(['1']);
    const get = await ml('GET', '/registered-models/get-latest-versions', { name: ex.MODEL });
    expect((get.body.model_versions as Json[]).length).toBe(1);
    const prod = await ml('GET', '/registered-models/get-latest-versions', {
      name: ex.MODEL,
      stages: ['Production'],
    });
    expect(prod.body).toEqual({});
  });
});

describe('bad inputs answer MLflow errors', () => {
  it('missing name: 400 INVALID_PARAMETER_VALUE naming it', async () => {
    const res = await ml('POST', '/registered-models/create', { description: 'x' });
    expect(res.status).toBe(400);
    expect(res.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    expect(res.body.message).toContain("Missing value for required parameter 'name'");
    const get = await ml('GET', '/model-versions/get', { name: ex.MODEL });
    expect(get.body.message).toContain("'version'");
  });

  it('unknown model or version: 404 RESOURCE_DOES_NOT_EXIST', async () => {
    const res = await ml('GET', '/registered-models/get', { name: 'nope' });
    expect(res.status).toBe(404);
    expect(res.body).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Registered Model with name=nope not found',
    });
    expect((await ml('GET', '/model-versions/get', { name: ex.MODEL, version: '9' })).status).toBe(
      404,
    );
    const alias = await ml('GET', '/registered-models/alias', { name: ex.MODEL, alias: 'x' });
    expect(alias.status).toBe(404);
  });

  it('no token: 401 UNAUTHENTICATED; a read token cannot write: 403 PERMISSION_DENIED', async () => {
    const anon = await ml('POST', '/registered-models/create', { name: 'anon' }, {});
    expect(anon.status).toBe(401);
    expect(anon.body.error_code).toBe('UNAUTHENTICATED');
    const token = await trpc(
      r.app,
      'mutation',
      'tokens.create',
      { name: 'reader', scopes: ['read'] },
      r.auth,
    );
    const reader = { authorization: `Bearer ${(token.data as { token: string }).token}` };
    expect((await ml('GET', '/registered-models/get', { name: ex.MODEL }, reader)).status).toBe(
      200,
    );
    const denied = await ml('POST', '/registered-models/alias', ex.setRegisteredModelAlias, reader);
    expect(denied.status).toBe(403);
    expect(denied.body.error_code).toBe('PERMISSION_DENIED');
  });

  it('sources that hold no bundle here, bad names and stages: 400 naming the parameter', async () => {
    const s3 = await ml('POST', '/model-versions/create', {
      name: ex.MODEL,
      source: 's3://bucket/model',
    });
    expect(s3.status).toBe(400);
    expect(s3.body.message).toMatch(/^source: .*mlops import/);
    const unknownRun = await ml('POST', '/model-versions/create', {
      name: ex.MODEL,
      source: 'runs:/abcdefgh12/model',
    });
    expect(unknownRun.body.message).toContain('run abcdefgh12 does not exist');
    const bad = await ml('GET', '/registered-models/get', { name: 'Bad Name' });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain("parameter 'name'");
    const stage = await ml('GET', '/registered-models/get-latest-versions', {
      name: ex.MODEL,
      stages: ['Prod'],
    });
    expect(stage.body.error_code).toBe('INVALID_PARAMETER_VALUE');
    const filter = await ml('GET', '/model-versions/search', { filter: 'version > 1' });
    expect(filter.body.message).toMatch(/^filter: /);
    const rename = await ml('POST', '/registered-models/rename', {
      name: ex.MODEL,
      new_name: 'other',
    });
    expect(rename.body.message).toMatch(/^new_name: renaming is not supported/);
  });

  it('an unknown endpoint is ENDPOINT_NOT_FOUND', async () => {
    const res = await ml('GET', '/registered-models/list');
    expect(res.status).toBe(404);
    expect(res.body.error_code).toBe('ENDPOINT_NOT_FOUND');
  });
});

describe('deletion', () => {
  it('refuses to delete a version an alias points at, then deletes alias, version and model', async () => {
    const busy = await ml('DELETE', '/model-versions/delete', { name: ex.MODEL, version: '1' });
    expect(busy.status).toBe(409);
    expect(busy.body.error_code).toBe('RESOURCE_CONFLICT');
    expect(
      (await ml('DELETE', '/registered-models/alias', ex.deleteRegisteredModelAlias)).status,
    ).toBe(200);
    expect(
      (await ml('DELETE', '/model-versions/delete', { name: ex.MODEL, version: '1' })).status,
    ).toBe(200);
    expect((await ml('GET', '/model-versions/get', ex.getModelVersion)).status).toBe(404);
    expect(
      (await ml('DELETE', '/registered-models/delete', { name: 'my-model-copy' })).status,
    ).toBe(200);
    expect((await ml('GET', '/registered-models/get', { name: 'my-model-copy' })).status).toBe(404);
  });
});
