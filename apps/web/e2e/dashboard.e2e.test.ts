import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { predictResponseSchema } from '@mlops/contracts';
import { optionalProcedure } from '../src/api/optional';
import { IRIS_CSV, features, readIris, shift } from '../../../scripts/demo/iris';
import { launchChromium } from './browser';
import { startStack, WEB_DIR, type Stack } from './stack';

const ARTIFACTS = path.join(WEB_DIR, 'test-artifacts');
const LONG = { timeout: 180_000 };

let stack: Stack;
let browser: Browser;
let page: Page;

async function shot(name: string): Promise<void> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

async function open(hash: string): Promise<void> {
  await page.goto(`${stack.urls.web}/#/${hash}`);
  await page.getByRole('heading', { level: 1 }).waitFor();
}

/** Whether the registry refuses reads with a bad token (issue #16 item 5, another change). */
async function registryEnforcesReads(): Promise<boolean> {
  const res = await fetch(`${stack.urls.registry}/trpc/models.list?input=%7B%7D`, {
    headers: { authorization: 'Bearer not-a-token-the-registry-knows' },
  });
  return res.status === 401;
}

async function trainAndWait(epochs: number, version: number): Promise<void> {
  await open('runs');
  await page.getByLabel('Target column').selectOption('species');
  await page.getByLabel('Epochs').fill(String(epochs));
  await page.getByRole('button', { name: 'Start training' }).click();
  // Live progress: the bar and the epoch counter move while the trainer reports epochs.
  await page
    .getByTestId('run-epoch')
    .filter({ hasText: /epoch \d+ of \d+|done/ })
    .waitFor(LONG);
  await page
    .getByRole('status')
    .filter({ hasText: `Registered iris v${version}` })
    .waitFor(LONG);
  await page.getByTestId('run-epoch').filter({ hasText: 'done' }).waitFor();
}

describe('dashboard against the real services', () => {
  beforeAll(async () => {
    stack = await startStack();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    page = await context.newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('shows only the sign-in screen, refuses a wrong token and signs in with the right one', async () => {
    await page.goto(`${stack.urls.web}/#/datasets`);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // Signed out, nothing of the platform is shown: no pages, no upload form.
    expect(await page.getByRole('navigation', { name: 'Pages' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Upload' }).count()).toBe(0);
    if (await registryEnforcesReads()) {
      // Reads are closed in this stack: there is no browsing without a token.
      await page.waitForLoadState('networkidle');
      expect(await page.getByRole('button', { name: 'Browse without a token' }).count()).toBe(0);
    }
    await page.getByLabel('API token').fill('not-the-token-at-all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: /token/i }).waitFor();
    await page.getByLabel('API token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as admin').waitFor();
    await page.getByRole('heading', { level: 1, name: 'Datasets' }).waitFor();
    await page.getByRole('button', { name: 'Upload' }).waitFor();
    // The token stays in this tab's sessionStorage and nowhere else.
    const stored = await page.evaluate(() => ({
      session: sessionStorage.getItem('mlops.token') ?? '',
      local: JSON.stringify(localStorage),
      cookies: document.cookie,
    }));
    expect(stored.session).toContain(stack.token);
    expect(stored.local + stored.cookies).not.toContain(stack.token);
  });

  it('uploads the Iris CSV with progress and shows its schema and histograms', async () => {
    await page.getByLabel('Dataset name').fill('iris');
    await page.getByLabel('File (CSV, JSON, JSON Lines)').setInputFiles(IRIS_CSV);
    await page.getByRole('button', { name: 'Upload' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Stored iris v1: 150 rows, 5 columns' })
      .waitFor();
    expect(await page.getByLabel('Upload progress').getAttribute('value')).toBe(
      String(fs.statSync(IRIS_CSV).size),
    );
    const column = page.getByRole('article', { name: 'Column petal_length' });
    await column.getByRole('img', { name: /Histogram of petal_length/ }).waitFor();
    expect(await column.locator('rect.bar').count()).toBeGreaterThan(1);
    await page
      .getByRole('article', { name: 'Column species' })
      .getByRole('list', { name: 'Category counts of species' })
      .getByText('setosa')
      .waitFor();
    await shot('datasets');
  });

  it('starts training and watches progress reach the end with a loss curve', async () => {
    await trainAndWait(200, 1);
    const bar = page.getByLabel('Training progress');
    expect(await bar.getAttribute('value')).toBe(await bar.getAttribute('max'));
    await page.getByRole('img', { name: /Loss curve/ }).waitFor();
    expect(await page.locator('.line-chart path.line.s1').getAttribute('d')).toMatch(
      /^M[\d.]+ [\d.]+( L[\d.]+ [\d.]+)+$/,
    );
    await page.getByRole('status').filter({ hasText: 'Registered iris v1' }).waitFor();
    await page.getByRole('cell', { name: 'completed' }).first().waitFor();
    await shot('runs');
  });

  it('promotes v1 and sees serving load it', async () => {
    await open('serving');
    expect(await page.getByTestId('served-version-iris').count()).toBe(0);
    await open('models');
    const v1 = page.getByRole('article', { name: 'iris version 1' });
    await v1.getByRole('definition').filter({ hasText: 'mlp-small' }).waitFor();
    await v1.getByRole('button', { name: 'Promote v1' }).click();
    await v1.getByRole('status').filter({ hasText: 'champion → v1' }).waitFor();
    await page.getByText(/champion: created → v1/).waitFor();
    await shot('models');
    await open('serving');
    await page.getByTestId('served-version-iris').filter({ hasText: 'v1' }).waitFor(LONG);
    await page.getByText('v1 AVAILABLE').waitFor(LONG);
  });

  it('trains v2, promotes it and sees the served version change', async () => {
    await trainAndWait(30, 2);
    await open('models');
    const v2 = page.getByRole('article', { name: 'iris version 2' });
    await v2.getByRole('button', { name: 'Promote v2' }).click();
    await v2.getByRole('status').filter({ hasText: 'champion → v2' }).waitFor();
    await open('serving');
    await page.getByTestId('served-version-iris').filter({ hasText: 'v2' }).waitFor(LONG);
    // No SERVING_ROUTES in this stack: the split is the followed alias alone.
    await page.getByTestId('weight-champion').filter({ hasText: '100%' }).waitFor();
  });

  it('shows throughput and latency while traffic flows, then flags drift and live quality', async () => {
    await open('serving');
    const traffic = page.getByRole('region', { name: 'iris: traffic' });
    await traffic.getByTestId('stat-requests').waitFor();
    const before = Number(await traffic.getByTestId('stat-requests').textContent());
    const rows = readIris().slice(0, 90).map(shift);
    const feedback: Array<{ predictionId: string; label: string }> = [];
    for (let i = 0; i < rows.length; i += 10) {
      const batch = rows.slice(i, i + 10);
      const res = await fetch(`${stack.urls.serving}/v1/models/iris:predict?format=platform`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
        body: JSON.stringify({ instances: batch.map(features) }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const answer = predictResponseSchema.parse(await res.json());
      expect(answer.model.version).toBe(2);
      answer.predictionIds.forEach((id, j) =>
        feedback.push({ predictionId: id, label: batch[j]!.species }),
      );
    }
    // Cumulative counters from serving's metrics; rates are differences between polls.
    await traffic
      .getByTestId('stat-requests')
      .filter({ hasText: String(before + 9) })
      .waitFor(LONG);
    await traffic.getByTestId('stat-rps').filter({ hasText: /^\d/ }).waitFor(LONG);
    await traffic.getByTestId('stat-compute-p99').filter({ hasText: /^\d/ }).waitFor(LONG);
    await traffic.getByTestId('stat-batch-size').filter({ hasText: /^\d/ }).waitFor(LONG);
    await shot('serving');

    // Ground truth comes back later: the monitor joins it with the logged predictions.
    expect(feedback.length).toBe(90);
    const fb = await fetch(`${stack.urls.monitor}/v1/feedback`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.token}` },
      body: JSON.stringify({ items: feedback }),
    });
    expect([200, 202], await fb.clone().text()).toContain(fb.status);

    await open('monitoring');
    const card = page.getByRole('region', { name: 'iris: drift' });
    await card.locator('.card-head .status', { hasText: /^drift$/ }).waitFor(LONG);
    expect(await card.getByRole('row').filter({ hasText: 'drift' }).count()).toBeGreaterThan(0);
    await page
      .getByRole('region', { name: 'iris: live quality' })
      .getByTestId('live-accuracy')
      .filter({ hasText: /^\d/ })
      .waitFor(LONG);
    await page
      .getByRole('region', { name: 'iris: drift and retraining events' })
      .getByText('drift.detected')
      .first()
      .waitFor(LONG);
    await page
      .getByRole('article', { name: 'Distribution of petal_length' })
      .getByRole('list')
      .waitFor(LONG);
    await shot('monitoring');
    await page
      .getByRole('region', { name: 'iris: live vs training' })
      .screenshot({ path: path.join(ARTIFACTS, 'monitoring-distributions.png') });
  });

  it('works from the keyboard and on a phone-sized screen', async () => {
    await open('datasets');
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    // Tab to the "Runs" link and follow it with Enter.
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate(() => document.activeElement?.textContent)) === 'Runs') break;
    }
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Runs' }).waitFor();
    await page.setViewportSize({ width: 390, height: 844 });
    const loaded = {
      runs: () => page.getByRole('table').first(),
      models: () => page.getByRole('article', { name: 'iris version 2' }),
      monitoring: () => page.getByRole('table').first(),
    };
    for (const [hash, content] of Object.entries(loaded)) {
      await open(hash);
      await content().waitFor();
      // Wide tables scroll inside their card; the page itself never scrolls sideways.
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
      ).toBe(true);
    }
    await shot('monitoring-phone');
    await page.setViewportSize({ width: 1280, height: 860 });
  });

  it.skipIf(!optionalProcedure('runs', 'cancel'))('cancels a long run from its page', async () => {
    await open('runs');
    await page.getByLabel('Epochs').fill('5000');
    await page.getByRole('button', { name: 'Start training' }).click();
    const detail = page.getByRole('region', { name: /^Run / });
    await detail.getByRole('button', { name: 'Cancel run' }).click(LONG);
    await detail.getByText('cancelled').first().waitFor(LONG);
    expect(await detail.getByRole('button', { name: 'Cancel run' }).count()).toBe(0);
  });

  it.skipIf(!optionalProcedure('aliases', 'rollback'))(
    'rolls champion back and sees serving follow, audited',
    async () => {
      await open('models');
      await page.getByRole('button', { name: 'Roll back champion' }).click();
      await page
        .getByRole('article', { name: 'iris version 1' })
        .getByText('champion')
        .first()
        .waitFor(LONG);
      if (optionalProcedure('aliases', 'history')) {
        await page
          .getByRole('region', { name: 'iris: alias audit' })
          .getByText(/champion: v2 → v1 by admin/)
          .waitFor(LONG);
      }
      await shot('models-rollback');
      await open('serving');
      await page.getByTestId('served-version-iris').filter({ hasText: 'v1' }).waitFor(LONG);
    },
  );

  it('goes back to sign-in with a message when the token is refused, and signs out', async () => {
    if (await registryEnforcesReads()) {
      // A token revoked or mistyped after sign-in: the next read answers 401.
      await page.evaluate(() => {
        const stored = JSON.parse(sessionStorage.getItem('mlops.token') ?? '{}') as object;
        sessionStorage.setItem('mlops.token', JSON.stringify({ ...stored, token: 'revoked-0' }));
      });
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor(LONG);
      await page
        .getByRole('alert')
        .filter({ hasText: /refused your token \(401\)/ })
        .waitFor();
      expect(await page.evaluate(() => sessionStorage.getItem('mlops.token'))).toBeNull();
      await page.getByLabel('API token').fill(stack.token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText('Signed in as admin').waitFor();
    }
    await open('models');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('mlops.token'))).toBeNull();
    expect(await page.getByRole('article', { name: 'iris version 1' }).count()).toBe(0);
  });

  it('composes an overview of the main pages (the README image)', async () => {
    const tiles = [
      'datasets',
      'runs',
      'models',
      'serving',
      'monitoring',
      'monitoring-distributions',
    ].map((name) => {
      const png = fs.readFileSync(path.join(ARTIFACTS, `${name}.png`)).toString('base64');
      return `<figure class="${name}"><img alt="${name}" src="data:image/png;base64,${png}"><figcaption>${name}</figcaption></figure>`;
    });
    // A page of its own: the dashboard's tab stays as it was.
    const canvas = await browser.newPage({ viewport: { width: 1500, height: 860 } });
    await canvas.setContent(
      `<style>body{margin:0;background:#d9dee4;font:14px system-ui}main{display:grid;grid-template-columns:1fr 1fr 1fr;gap:8px;padding:8px}
       figure{margin:0;background:#fff;height:414px;overflow:hidden;position:relative}img{width:100%;display:block}
       figcaption{position:absolute;right:8px;bottom:6px;background:#141a22;color:#fff;padding:1px 8px;border-radius:4px}</style>
       <main>${tiles.join('')}</main>`,
    );
    await canvas.screenshot({ path: path.join(ARTIFACTS, 'overview.png') });
    await canvas.close();
    expect(fs.statSync(path.join(ARTIFACTS, 'overview.png')).size).toBeGreaterThan(10_000);
  });
});
