import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { LESION_CLASSES, generateLesions } from '../../../scripts/demo/lesions';
import { launchChromium } from './browser';
import { IMAGE_SIZE, importImageModel, importTabularModel } from './import-models';
import { startStack, WEB_DIR, type Stack } from './stack';

const ARTIFACTS = path.join(WEB_DIR, 'test-artifacts');
const LONG = { timeout: 120_000 };
/** Serving's body limit in this stack: small, so a "too large" image is cheap to make. */
const BODY_LIMIT = 200_000;

let stack: Stack;
let browser: Browser;
let page: Page;
let files: { lesion: string; jpeg: string; big: string; text: string };

/** Serving's own answer to the same bytes, straight to serving (not through the dashboard). */
async function servingTopClass(
  image: Buffer,
  type = 'image/png',
): Promise<{ label: string; p: number }> {
  const res = await fetch(`${stack.urls.serving}/v1/models/lesions:predict`, {
    method: 'POST',
    headers: { authorization: `Bearer ${stack.token}`, 'content-type': type },
    body: new Uint8Array(image),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { predictions } = (await res.json()) as { predictions: number[][] };
  const row = predictions[0]!;
  const best = row.indexOf(Math.max(...row));
  return { label: LESION_CLASSES[best]!, p: row[best]! };
}

async function promote(model: string, version: number): Promise<void> {
  await page.goto(`${stack.urls.web}/#/models`);
  await page.getByRole('button', { name: new RegExp(`^${model} `) }).click();
  const card = page.getByRole('article', { name: `${model} version ${version}` });
  await card.getByRole('button', { name: `Promote v${version}` }).click();
  await card
    .getByRole('status')
    .filter({ hasText: `champion → v${version}` })
    .waitFor();
}

describe('the model page\'s "Try it" box against the real services', () => {
  beforeAll(async () => {
    stack = await startStack({ env: { SERVING_MAX_BODY_BYTES: String(BODY_LIMIT) } });
    await importImageModel(stack, 'lesions', LESION_CLASSES);
    await importTabularModel(stack, 'flowers');
    const dir = path.join(stack.dataDir, 'try-it');
    fs.mkdirSync(dir, { recursive: true });
    const [lesion] = await generateLesions({ count: 1, seed: 3, size: 48 });
    const [jpeg] = await generateLesions({ count: 2, seed: 4, size: 40, format: 'jpeg' });
    // Noise does not compress: a 400×400 RGB PNG is about 480 KB, over the body limit.
    const noise = Buffer.from(Array.from({ length: 400 * 400 * 3 }, (_, i) => (i * 7919) % 251));
    const big = await sharp(noise, { raw: { width: 400, height: 400, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    expect(big.length).toBeGreaterThan(BODY_LIMIT);
    files = {
      lesion: path.join(dir, 'lesion.png'),
      jpeg: path.join(dir, 'lesion.jpg'),
      big: path.join(dir, 'big.png'),
      text: path.join(dir, 'notes.txt'),
    };
    fs.writeFileSync(files.lesion, lesion!.data);
    fs.writeFileSync(files.jpeg, jpeg!.data);
    fs.writeFileSync(files.big, big);
    fs.writeFileSync(files.text, 'these are notes, not pixels\n');
    browser = await launchChromium();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it('signs in and promotes the imported image model', async () => {
    await page.goto(`${stack.urls.web}/#/models`);
    await page.getByLabel('API token').fill(stack.token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in as admin').waitFor();
    await promote('lesions', 1);
    // The box follows serving: its default target names the version serving loaded.
    await page
      .getByRole('region', { name: 'lesions: try it' })
      .getByRole('option', { name: 'followed alias (champion → v1)' })
      .waitFor({ state: 'attached', ...LONG });
  });

  it('sends a PNG and shows the label, probabilities, version and latency serving gave', async () => {
    const box = page.getByRole('region', { name: 'lesions: try it' });
    await box.getByText(`decodes it to ${IMAGE_SIZE}×${IMAGE_SIZE}×3`).waitFor();
    await box.getByLabel('Image (JPEG or PNG)').setInputFiles(files.lesion);
    const label = await box.getByTestId('predicted-label').textContent(LONG);
    const bars = box.getByRole('list', { name: 'Probabilities' }).getByRole('listitem');
    expect(await bars.count()).toBe(LESION_CLASSES.length);
    const shown = await bars.allTextContents();
    const percents = shown.map((t) => Number(/([\d.]+)%$/.exec(t)?.[1]));
    expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 0);
    expect(percents).toEqual([...percents].sort((a, b) => b - a));
    await box
      .getByTestId('answered-by')
      .filter({ hasText: /lesions v1 \(champion\) in \d+ ms/ })
      .waitFor();
    await box.getByRole('img', { name: 'Image sent: lesion.png' }).waitFor();
    // The same bytes straight to serving: the box shows what serving answered, not a guess.
    const direct = await servingTopClass(fs.readFileSync(files.lesion));
    expect(label).toBe(direct.label);
    expect(shown[0]).toContain(direct.label);
    expect(percents[0]).toBeCloseTo(direct.p * 100, 1);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await box.screenshot({ path: path.join(ARTIFACTS, 'models-try-it.png') });
  });

  it('takes a JPEG dropped on the box', async () => {
    const box = page.getByRole('region', { name: 'lesions: try it' });
    const jpeg = fs.readFileSync(files.jpeg).toString('base64');
    // What a drag from the file manager delivers: a DataTransfer holding one File.
    const dataTransfer = await page.evaluateHandle((b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], 'dropped.jpg', { type: 'image/jpeg' }));
      return transfer;
    }, jpeg);
    await box.locator('.drop-zone').dispatchEvent('drop', { dataTransfer });
    await box.getByRole('img', { name: 'Image sent: dropped.jpg' }).waitFor();
    const label = await box.getByTestId('predicted-label').textContent(LONG);
    const direct = await servingTopClass(fs.readFileSync(files.jpeg), 'image/jpeg');
    expect(label).toBe(direct.label);
  });

  it('sends to a chosen version', async () => {
    const box = page.getByRole('region', { name: 'lesions: try it' });
    await box.getByLabel('Send to').selectOption('1');
    await box.getByRole('button', { name: 'Predict' }).click();
    await box
      .getByTestId('answered-by')
      .filter({ hasText: /lesions v1 in \d+ ms/ })
      .waitFor();
    await box.getByTestId('predicted-label').waitFor();
  });

  it("shows serving's refusal of a file too large and of one that is not an image", async () => {
    const box = page.getByRole('region', { name: 'lesions: try it' });
    await box.getByLabel('Image (JPEG or PNG)').setInputFiles(files.big);
    await box
      .getByRole('alert')
      .filter({
        hasText: /big\.png makes a request body of [\d,]+ bytes; serving reads at most 200,000 /,
      })
      .waitFor(LONG);
    expect(await box.getByTestId('predicted-label').count()).toBe(0);
    await box.getByLabel('Image (JPEG or PNG)').setInputFiles(files.text);
    await box.getByRole('alert').filter({ hasText: 'not a JPEG or PNG image' }).waitFor(LONG);
    expect(await box.getByRole('alert').textContent()).toContain('input "image"');
  });

  it('fills a form for a tabular model and shows its prediction and refusals', async () => {
    await promote('flowers', 1);
    const box = page.getByRole('region', { name: 'flowers: try it' });
    await box
      .getByRole('option', { name: 'followed alias (champion → v1)' })
      .waitFor({ state: 'attached', ...LONG });
    await box.getByLabel('petal_length').fill('4.5');
    await box.getByLabel('colour').selectOption('red');
    await box.getByRole('button', { name: 'Predict' }).click();
    const label = await box.getByTestId('predicted-label').textContent(LONG);
    expect(['setosa', 'virginica']).toContain(label);
    await box
      .getByTestId('answered-by')
      .filter({ hasText: /flowers v1 \(champion\)/ })
      .waitFor();
    expect(
      await box.getByRole('list', { name: 'Probabilities' }).getByRole('listitem').count(),
    ).toBe(2);
    // Text that is not a number reaches serving, whose message names the feature.
    await box.getByLabel('petal_length').fill('tall');
    await box.getByRole('button', { name: 'Predict' }).click();
    await box.getByRole('alert').filter({ hasText: 'petal_length' }).waitFor(LONG);
    await box.screenshot({ path: path.join(ARTIFACTS, 'models-try-it-form.png') });
  });

  it('fits a phone-sized screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: /^lesions / }).click();
    await page.getByRole('region', { name: 'lesions: try it' }).getByLabel('Send to').waitFor();
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    ).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
