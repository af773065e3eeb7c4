import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startStack, type Stack } from '../../../scripts/lib/stack';
import { launchChromium } from './browser';

/**
 * Each service's `/docs` page in Chromium, against the real registry, serving and monitor as
 * processes: it loads its `/openapi.json`, lists every operation of the document, filters, and
 * asks nothing of any other origin (it works offline: no CDN).
 */
let stack: Stack;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  stack = await startStack({ label: 'openapi-docs', apps: ['serving', 'monitor'] });
  browser = await launchChromium();
  page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await stack?.close();
});

type Doc = { paths: Record<string, Record<string, { operationId: string }>> };

describe('/docs in Chromium', () => {
  it.each(['registry', 'serving', 'monitor'] as const)(
    "%s's page lists every operation of its document, from its own origin only",
    async (app) => {
      const base = stack.urls[app] ?? '';
      const origin = new URL(base).origin;
      const foreign: string[] = [];
      const errors: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).origin !== origin) foreign.push(request.url());
      });
      page.on('pageerror', (err) => errors.push(err.message));

      await page.goto(`${base}/docs`);
      await page.locator('body[data-ready]').waitFor({ timeout: 30_000 });
      const doc = (await (await fetch(`${base}/openapi.json`)).json()) as Doc;
      const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));
      const shown = page.locator('details.op');
      expect(await shown.count()).toBe(operations.length);
      expect(operations.length).toBeGreaterThanOrEqual(10);
      await expect(page.title()).resolves.toMatch(/HTTP API$/);

      // Filtering keeps only the operations that match; opening one shows its curl line.
      const needle = app === 'registry' ? '/aliases/' : app === 'serving' ? ':predict' : 'drift';
      await page.getByLabel('Filter operations').fill(needle);
      const visible = page.locator('details.op:visible');
      const matching = Object.keys(doc.paths).filter((p) => p.includes(needle));
      expect(await visible.count()).toBeGreaterThanOrEqual(matching.length);
      expect(await visible.count()).toBeLessThan(operations.length);
      await visible.first().locator('summary').click();
      await expect(visible.first().locator('pre').last().textContent()).resolves.toMatch(
        /^curl -X (GET|POST|PUT|DELETE)/,
      );
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
      page.removeAllListeners('request');
      page.removeAllListeners('pageerror');
    },
  );
});
