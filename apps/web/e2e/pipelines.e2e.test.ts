import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PipelineRun } from '@mlops/contracts';
import { hashParam } from '../src/lib/route';
import { launchChromium } from './browser';
import { DIAMOND, registryCall, STEP_IDS } from './pipeline-fixtures';
import { startStack, WEB_DIR, type Stack } from './stack';

/**
 * The pipeline pages against the real stack (registry, trainer's pipeline worker, dashboard
 * server) in Chromium: a small DAG of `custom/echo` / `custom/sleep` steps is registered and run
 * through the registry's API, as the CLI does; the run page draws it and follows it live to the
 * end, re-runs it from the page and shows every step taken from the cache, and cancels a run;
 * a token without `train` sees the runs but no buttons.
 */
const ARTIFACTS = path.join(WEB_DIR, 'test-artifacts');
const LONG = { timeout: 120_000 };

let stack: Stack;
let browser: Browser;
let page: Page;

const registry = <T>(procedure: string, input: unknown, method?: 'GET' | 'POST') =>
  registryCall<T>(stack, procedure, input, method);

const node = (step: string, status: string) =>
  page.getByRole('button', { name: new RegExp(`^step ${step}, uses [^,]+, ${status}\\b`) });

async function shot(name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

describe('pipeline pages against the real services', () => {
  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${stack.urls.web}/#/pipelines`);
    await page.getByLabel('API token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pipelines' }).waitFor();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('lists a registered pipeline from the navigation, not yet run', async () => {
    await registry('pipelines.register', { definition: DIAMOND });
    await page.goto(`${stack.urls.web}/#/datasets`);
    await page
      .getByRole('navigation', { name: 'Pages' })
      .getByRole('link', { name: 'Pipelines' })
      .click();
    const row = page.getByRole('row').filter({ hasText: 'diamond' });
    await row.getByText('never run').waitFor(LONG);
    expect(await row.getByRole('cell').nth(1).textContent()).toBe('v1');
    expect(await row.getByRole('cell').nth(2).textContent()).toBe('5');
  });

  it('draws a run as a layered DAG and follows it live until every step succeeded', async () => {
    const run = await registry<PipelineRun>('pipelines.run', { name: 'diamond' });
    // From the history table, as a person would.
    await page.getByRole('link', { name: `Open run ${run.id}` }).click(LONG);
    for (const id of STEP_IDS) await node(id, 'succeeded').waitFor(LONG);
    await page
      .getByTestId('pipeline-run-summary')
      .filter({ hasText: /^succeeded diamond v1/ })
      .waitFor();
    expect(await page.getByTestId('pipeline-run-summary').textContent()).toContain(
      '0 of 5 steps cached',
    );

    // Layers: greet | wait | left, right | join, left to right; left and right stacked.
    const box = async (id: string) => {
      const b = await page.locator(`[data-step="${id}"]`).boundingBox();
      if (!b) throw new Error(`step ${id} is not drawn`);
      return b;
    };
    const [greet, wait, left, right, join] = [
      await box('greet'),
      await box('wait'),
      await box('left'),
      await box('right'),
      await box('join'),
    ];
    expect(greet.x).toBeLessThan(wait.x);
    expect(wait.x).toBeLessThan(left.x);
    expect(left.x).toBe(right.x);
    expect(Math.abs(left.y - right.y)).toBeGreaterThanOrEqual(left.height);
    expect(right.x).toBeLessThan(join.x);
    expect(await page.locator('.pipeline-graph path.edge').count()).toBe(5);

    // The run ended: the page stops asking for it.
    let polls = 0;
    page.on('request', (r) => {
      if (r.url().includes('pipelines.getRun')) polls++;
    });
    await page.waitForTimeout(2_500);
    page.removeAllListeners('request');
    expect(polls).toBe(0);
  });

  it('shows a chosen step’s inputs and outputs with links to what they name', async () => {
    await node('greet', 'succeeded').click();
    const greet = page.getByRole('region', { name: 'Step greet' });
    await greet
      .getByLabel('Inputs of the step')
      .filter({ hasText: '"message": "hello"' })
      .waitFor();
    await greet
      .getByLabel('Outputs of the step')
      .filter({ hasText: '"message": "hello"' })
      .waitFor();
    expect(await node('greet', 'succeeded').getAttribute('aria-pressed')).toBe('true');

    // By keyboard too: the node is a focusable button.
    await node('right', 'succeeded').focus();
    await page.keyboard.press('Enter');
    const right = page.getByRole('region', { name: 'Step right' });
    const link = right.getByRole('link', { name: 'dataset demo-data v1' });
    expect(await link.getAttribute('href')).toBe('#/datasets?dataset=demo-data&version=1');
    await shot('pipeline-run');

    // On a phone the graph and long JSON lines scroll inside their card, not the page.
    await page.setViewportSize({ width: 390, height: 844 });
    await right.getByLabel('Outputs of the step').waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await shot('pipeline-run-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('runs again from the page and takes every step from the cache', async () => {
    await page.getByRole('button', { name: 'Run again' }).click();
    await page
      .getByTestId('pipeline-run-summary')
      .filter({ hasText: /^succeeded/ })
      .waitFor(LONG);
    for (const id of STEP_IDS) await node(id, 'succeeded, (?:[^,]+, )?cached').waitFor();
    expect(await page.locator('.node-cached').count()).toBe(5);
    expect(await page.getByTestId('pipeline-run-summary').textContent()).toContain(
      '5 of 5 steps cached',
    );
    await shot('pipeline-run-cached');

    // The history lists both runs, newest first, with their cached-step counts.
    await page.getByRole('link', { name: '← All pipelines' }).click();
    const table = page.getByRole('table', { name: 'Runs of diamond, newest first' });
    await table.getByRole('row').nth(2).waitFor();
    const rows = table.getByRole('row');
    expect(await rows.nth(1).getByRole('cell').last().textContent()).toBe('5 of 5');
    expect(await rows.nth(2).getByRole('cell').last().textContent()).toBe('0 of 5');
    expect(await rows.nth(1).getByRole('cell').nth(3).textContent()).toBe('manual');
    await page
      .getByRole('row')
      .filter({ hasText: 'diamond' })
      .getByText('succeeded')
      .first()
      .waitFor();
    await shot('pipelines');
  });

  it('follows a live run: a change made elsewhere shows without reloading', async () => {
    await registry('pipelines.register', {
      definition: {
        name: 'slow',
        steps: [
          { id: 'nap', uses: 'custom/sleep', with: { ms: 120_000 } },
          { id: 'then', uses: 'custom/echo', dependsOn: ['nap'] },
        ],
      },
    });
    const run = await registry<PipelineRun>('pipelines.run', { name: 'slow' });
    await page.goto(`${stack.urls.web}/#/pipelines?run=${run.id}`);
    await node('nap', 'running').waitFor(LONG);
    expect(await node('then', 'queued').getAttribute('aria-label')).toBe(
      'step then, uses custom/echo, queued',
    );
    // Cancelled through the API, as `mlops pipeline cancel` would: the open page sees it.
    await registry('pipelines.cancel', { id: run.id });
    await page
      .getByTestId('pipeline-run-summary')
      .filter({ hasText: /^cancelled slow/ })
      .waitFor(LONG);
    await node('nap', 'cancelled').waitFor();
    await node('then', 'cancelled').waitFor();
  });

  it('starts a run from the pipeline’s history and cancels it from its page', async () => {
    await page.goto(`${stack.urls.web}/#/pipelines?pipeline=slow`);
    const history = page.getByRole('region', { name: 'Runs of slow' });
    await history.getByRole('table').waitFor(LONG);
    await history.getByRole('button', { name: 'Run with defaults' }).click();
    await page
      .getByTestId('pipeline-run-summary')
      .filter({ hasText: / slow v1 / })
      .waitFor(LONG);
    const run = { id: hashParam(new URL(page.url()).hash, 'run') ?? '' };
    expect(run.id).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    await node('nap', 'running').waitFor(LONG);
    await page.getByRole('button', { name: 'Cancel run' }).click();
    await page
      .getByTestId('pipeline-run-summary')
      .filter({ hasText: /^cancelled slow/ })
      .waitFor(LONG);
    await node('nap', 'cancelled').waitFor();
    expect(await page.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
    const after = await registry<PipelineRun>('pipelines.getRun', { id: run.id }, 'GET');
    expect(after.status).toBe('cancelled');
    expect(after.steps[0]?.status).toBe('cancelled');
  });

  it('shows the registry’s refusal of a run missing a parameter, naming it', async () => {
    await registry('pipelines.register', {
      definition: {
        name: 'needs-param',
        parameters: { n: { type: 'integer' } },
        steps: [{ id: 'show', uses: 'custom/echo', with: { n: '${{ params.n }}' } }],
      },
    });
    await page.goto(`${stack.urls.web}/#/pipelines?pipeline=needs-param`);
    const history = page.getByRole('region', { name: 'Runs of needs-param' });
    await history.getByText('No runs yet').waitFor(LONG);
    await history.getByRole('button', { name: 'Run with defaults' }).click();
    await history
      .getByRole('alert')
      .filter({ hasText: 'parameters.n: required (no default)' })
      .waitFor(LONG);
    expect(page.url()).not.toContain('run=');
  });

  it('shows the registry’s answer to a run id that does not exist or is malformed', async () => {
    await page.goto(`${stack.urls.web}/#/pipelines?run=no-such-run-0000`);
    await page
      .getByRole('alert')
      .filter({ hasText: 'pipeline run no-such-run-0000 does not exist' })
      .waitFor(LONG);
    await page.goto(`${stack.urls.web}/#/pipelines?run=bad!`);
    await page
      .getByRole('alert')
      .filter({ hasText: /id.*must be an id of 8-64/s })
      .waitFor(LONG);
    expect(await page.locator('.pipeline-graph').count()).toBe(0);
  });

  it('offers no run or cancel to a token without the train scope, only the reads', async () => {
    const created = await registry<{ token: string }>('tokens.create', {
      name: 'writer',
      scopes: ['read', 'write'],
    });
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('API token').fill(created.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as').waitFor();
    await page.goto(`${stack.urls.web}/#/pipelines?pipeline=diamond`);
    const history = page.getByRole('region', { name: 'Runs of diamond' });
    await history
      .getByRole('link', { name: /^Open run / })
      .first()
      .click(LONG);
    await node('join', 'succeeded').waitFor(LONG);
    expect(await page.getByRole('button', { name: 'Run again' }).count()).toBe(0);
    await page.goto(`${stack.urls.web}/#/pipelines?pipeline=diamond`);
    await history.getByRole('table').waitFor(LONG);
    expect(await history.getByRole('button', { name: 'Run with defaults' }).count()).toBe(0);
  });
});
