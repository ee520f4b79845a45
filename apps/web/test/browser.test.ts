// The app in a real browser: Debian's Chromium driven by playwright-core, against a real server over the
// repo's installed plugins, real MNIST samples and a real (small) benchmark run. The screenshots these tests
// take are the ones in README.md (docs/).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore, runBenchmark } from '@attune/bench';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedServer, startWebServer } from '../src/server/index.js';
import { repoRegistry } from './helpers.js';

const DOCS = join(import.meta.dirname, '..', 'docs');
let server: StartedServer;
let browser: Browser;
let page: Page;
let dir: string;
let runId: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'attune-web-'));
  const registry = await repoRegistry();
  const store = ResultStore.open(join(dir, 'results.sqlite'), { durability: 'normal' });
  try {
    const result = await runBenchmark({
      registry,
      suite: 'mini-clip-corrupt-short',
      methods: [{ name: 'zeroshot' }, { name: 'sts', config: { views: 8 } }],
      seeds: [0, 1],
      limit: 6,
      store,
    });
    runId = result.run.runId;
  } finally {
    store.close();
  }
  server = await startWebServer({ registry, port: 0, resultStore: join(dir, 'results.sqlite') });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

let loads = 0;
/** A fresh page load (a new query string), so no state carries over from the test before. */
const open = async (hash: string) => {
  loads += 1;
  await page.goto(`${server.url}/?load=${loads}#${hash}`);
};
const shoot = (name: string, fullPage = true) =>
  page.screenshot({ path: join(DOCS, `${name}.png`), fullPage });

describe('the web app in Chromium', () => {
  it('lists the installed plugins grouped by kind, with landmarks and headings for screen readers', async () => {
    await open('/');
    await page.getByRole('heading', { name: 'Installed plugins' }).waitFor();
    const snapshot = await page.locator('body').ariaSnapshot();
    expect(snapshot).toContain('navigation "Main"');
    expect(snapshot).toMatch(/heading "Methods \d+" \[level=2\]/);
    expect(snapshot).toMatch(/heading "Models \d+" \[level=2\]/);
    expect(snapshot).toContain('link "sts"');
    await shoot('plugins');
  });

  it('runs STS on a bundled image, by keyboard, and shows before/after, top-5 and the kept views', async () => {
    await open('/run/sts');
    const views = page.getByLabel('views', { exact: true });
    await views.fill('16');
    await page.getByRole('radio', { name: /^mnist test sample 1: two$/ }).focus();
    await page.keyboard.press('Space');
    const run = page.getByRole('button', { name: 'Run sts' });
    await expect.poll(() => run.isEnabled()).toBe(true);
    await run.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('prediction').waitFor({ timeout: 30_000 });
    const result = page.getByRole('region', { name: 'sts result' });
    const snapshot = await result.ariaSnapshot();
    expect(snapshot).toContain('Before adaptation');
    expect(snapshot).toContain('Top-5 after');
    expect(await page.getByRole('img', { name: /^view \d+, kept$/ }).count()).toBe(1);
    expect(await page.getByRole('img', { name: /^view \d+$/ }).count()).toBe(15);
    await page.getByRole('status').filter({ hasText: 'Done.' }).waitFor();
    await shoot('run-sts');
  });

  it('shows a validation error when a config field is out of range, and will not run', async () => {
    await open('/run/sts');
    await page.getByLabel('views', { exact: true }).fill('0');
    await page.getByLabel('selection', { exact: true }).fill('1.5');
    await expect
      .poll(() => page.getByRole('alert').allTextContents())
      .toEqual(['views must be at least 1', 'selection must be at most 1']);
    expect(await page.getByLabel('views', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByRole('button', { name: 'Run sts' }).isDisabled()).toBe(true);
    await page.getByLabel('selection', { exact: true }).scrollIntoViewIfNeeded();
    await shoot('validation', false);
    // A rule only the plugin's own schema knows (a template needs "{}") comes back from the server.
    await page.getByLabel('views', { exact: true }).fill('8');
    await page.getByLabel('selection', { exact: true }).fill('0.1');
    await page.getByLabel('template', { exact: true }).fill('a photo');
    await page
      .getByRole('alert')
      .filter({ hasText: /template expected/ })
      .waitFor();
  });

  it('refuses an oversized upload and says why', async () => {
    await open('/run/zeroshot');
    await page.getByRole('radio', { name: 'Upload' }).focus();
    await page.keyboard.press('Space');
    await page.getByLabel(/PNG or JPEG/).setInputFiles({
      name: 'huge.png',
      mimeType: 'image/png',
      buffer: Buffer.alloc(9 * 1024 * 1024),
    });
    await page.getByRole('button', { name: 'Run zeroshot' }).click();
    const alert = page.getByRole('alert').filter({ hasText: 'The run failed' });
    await alert.waitFor();
    expect(await alert.textContent()).toContain('larger than the upload limit of 8.0 MiB');
    await shoot('upload-refused', false);
  });

  it('opens a benchmark run: the table, the plot, and a seed filter', async () => {
    await open('/benchmarks');
    await page.getByRole('link', { name: runId }).click();
    await page.getByRole('heading', { name: runId }).waitFor();
    const table = page.getByRole('table', { name: /Accuracy/ });
    expect(await table.getByRole('rowheader').allTextContents()).toEqual(['zeroshot', 'sts']);
    await page.getByRole('img', { name: /Accuracy by family/ }).waitFor();
    await shoot('benchmark-run');
    await page.getByLabel('Seed').selectOption('1');
    await expect.poll(() => table.getByRole('cell', { name: /±/ }).count()).toBe(0); // one seed: no std
    await open('/benchmarks');
    await shoot('benchmarks', false);
  });

  it('compares methods side by side on one image', async () => {
    await open('/compare');
    await page.getByRole('checkbox', { name: 'tpt', exact: true }).uncheck();
    await page.getByRole('button', { name: 'Run 2 methods' }).click();
    await page.getByRole('region', { name: 'sts result' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('region', { name: /result$/ }).count()).toBe(2);
    await shoot('compare');
  });

  it('answers a prompt with QAlign: votes and the chain acceptance', async () => {
    await open('/run/qalign');
    await page.getByLabel('steps', { exact: true }).fill('2');
    await page.getByLabel('maxNewTokens', { exact: true }).fill('40');
    const run = page.getByRole('button', { name: 'Run qalign' });
    await expect.poll(() => run.isEnabled()).toBe(true);
    await run.click();
    await page.getByTestId('answer').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('heading', { name: 'Acceptance' }).count()).toBe(1);
    await shoot('run-qalign');
  });

  it("shows QAlign's chain: the reward trace and each accepted state with its reward and steps held", async () => {
    await open('/run/qalign');
    await page.getByLabel('steps', { exact: true }).fill('30');
    await page.getByLabel('maxNewTokens', { exact: true }).fill('48');
    const run = page.getByRole('button', { name: 'Run qalign' });
    await expect.poll(() => run.isEnabled()).toBe(true);
    await run.click();
    await page.getByRole('table', { name: 'Chain states' }).waitFor({ timeout: 60_000 });
    const distinct = Number(
      (await page.locator('.prediction', { hasText: 'Chain states' }).locator('.big').textContent())!,
    );
    const rows = page.getByTestId('chain-state');
    // 30 steps at mini-RM's acceptance give more than 24 states: the first and last 12, then all of them.
    const shownFirst = await rows.count();
    expect(shownFirst).toBe(Math.min(distinct, 24));
    if (distinct > 24) {
      await page.getByRole('button', { name: `Show all ${distinct} states` }).click();
      expect(await rows.count()).toBe(distinct);
    }
    // Steps held add up to the 31 states voted over; the first row is y0 (step 0).
    const held = await rows.locator('td:nth-child(4)').allTextContents();
    expect(held.reduce((n, t) => n + Number(t), 0)).toBe(31);
    expect(await rows.first().locator('td').first().textContent()).toBe('0');
    const rewards = await rows.locator('td:nth-child(3)').allTextContents();
    expect(rewards.every((r) => /^-?\d+\.\d{3}$/.test(r))).toBe(true);
    // The winning answer's rows are marked, and the trace is labelled for screen readers.
    const answer = await page.getByTestId('answer').textContent();
    expect(await page.locator('tr.winner').count()).toBeGreaterThan(0);
    expect(await page.locator('tr.winner td:nth-child(2)').first().textContent()).toContain(answer!);
    expect(
      await page
        .getByRole('img', { name: /^Reward of the chain's state after each of its 30 steps/ })
        .count(),
    ).toBe(1);
    await shoot('run-qalign-chain');
  });

  it('fits a narrow screen without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['/', '/run/sts', '/benchmarks']) {
      await open(hash);
      await page.getByRole('heading', { level: 1 }).waitFor();
      const overflow = await page.evaluate(() => {
        const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } })
          .document;
        return (
          root.documentElement.scrollWidth - (globalThis as unknown as { innerWidth: number }).innerWidth
        );
      });
      expect(overflow, hash).toBeLessThanOrEqual(0);
    }
    await open('/run/sts');
    await page.getByRole('button', { name: 'Run sts' }).waitFor();
    await shoot('narrow-run', false);
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
