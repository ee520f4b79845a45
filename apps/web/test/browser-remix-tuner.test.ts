// The C3PO (expert-remix) and DePT (prompt-tuning) pages in Chromium, against a real server: C3PO on the zoo's
// mini-MoE and its reference sets, DePT on mini-LM and the pinned tasks, with an adapter root in a temporary
// folder. Their screenshots are the ones in README.md (docs/).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StartedServer, startWebServer } from '../src/server/index.js';
import { pinnedTasks, repoRegistry } from './helpers.js';

const DOCS = join(import.meta.dirname, '..', 'docs');
let server: StartedServer;
let browser: Browser;
let page: Page;
let adapterRoot: string;

beforeAll(async () => {
  adapterRoot = mkdtempSync(join(tmpdir(), 'attune-web-adapters-'));
  const registry = await repoRegistry();
  server = await startWebServer({ registry, port: 0, adapterRoots: [adapterRoot], promptTasks: pinnedTasks });
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (adapterRoot) rmSync(adapterRoot, { recursive: true, force: true });
});

let loads = 0;
const open = async (hash: string) => {
  loads += 1;
  await page.goto(`${server.url}/?load=${loads}#${hash}`);
};
const shoot = (name: string, fullPage = true) =>
  page.screenshot({ path: join(DOCS, `${name}.png`), fullPage });
const sideways = () =>
  page.evaluate(() => {
    const g = globalThis as unknown as {
      document: { documentElement: { scrollWidth: number } };
      innerWidth: number;
    };
    return g.document.documentElement.scrollWidth - g.innerWidth;
  });

describe('the C3PO and DePT pages in Chromium', () => {
  it('C3PO by keyboard: base and re-mixed answers, neighbours, routing per critical layer, α', async () => {
    await open('/run/c3po');
    const prompt = page.getByLabel('Prompt');
    await prompt.focus();
    await page.keyboard.press('Control+A');
    // A word mini-MoE's own routing gets wrong and the re-mix gets right (the eval set's "revolting"; of the
    // first 200 sentiment eval items the only one the retrained model's kernel regression fixes).
    await page.keyboard.type('Is the word "revolting" positive or negative?');
    const run = page.getByRole('button', { name: 'Run c3po' });
    await expect.poll(() => run.isEnabled()).toBe(true);
    await run.focus();
    await page.keyboard.press('Enter');
    await page.getByTestId('remixed-answer').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('base-answer').textContent()).toBe('positive');
    expect(await page.getByTestId('remixed-answer').textContent()).toBe('negative');
    await page.getByRole('status').filter({ hasText: 'The re-mix changed the answer.' }).waitFor();
    // KR's line search moved away from the base routing: α < 1, and the routing rows differ.
    expect(await page.getByTestId('alpha').textContent()).toMatch(/^(0|0\.2|0\.4|0\.6|0\.8)$/);
    const neighbours = page.getByTestId('neighbours').locator('tbody tr');
    expect(await neighbours.count()).toBe(3);
    const weights = (await neighbours.locator('td:nth-child(4)').allTextContents()).map(Number);
    expect(weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 2);
    // Five critical layers (the default), base and re-mixed, eight experts each, two of them selected.
    const routing = page.getByTestId('routing');
    expect(await routing.locator('tbody').count()).toBe(5);
    expect(await routing.locator('tbody tr').count()).toBe(10);
    const firstRow = routing.locator('tbody tr').first();
    expect(await firstRow.locator('td.cell').count()).toBe(8);
    expect(await firstRow.locator('td.cell.selected').count()).toBe(2);
    const snapshot = await page.getByRole('region', { name: 'c3po result' }).ariaSnapshot();
    expect(snapshot).toMatch(/rowheader "layer \d"/);
    expect(snapshot).toContain('selected');
    const tops = await routing.locator('td.top-experts').allTextContents();
    expect(tops.filter((t, i) => i % 2 === 0 && t !== tops[i + 1]).length).toBeGreaterThan(0);
    await shoot('run-c3po');
  });

  it('DePT: trains a few steps with live loss, step and ETA, then predicts with the new adapter', async () => {
    await open('/run/dept');
    await page.getByRole('radio', { name: 'Train an adapter' }).focus();
    await page.keyboard.press('Space');
    await page.getByLabel('Task').selectOption('spam');
    await page.getByLabel('steps', { exact: true }).fill('40');
    await page.getByLabel('budgetTokens', { exact: true }).fill('10');
    await page.getByLabel('Validation examples scored at the end').fill('16');
    const train = page.getByRole('button', { name: 'Train with dept' });
    await expect.poll(() => train.isEnabled()).toBe(true);
    await train.click();
    const metrics = page.getByTestId('train-metrics');
    await metrics.waitFor({ timeout: 60_000 });
    expect(await metrics.textContent()).toMatch(/loss \d+\.\d{4}.*ms\/step.*ETA \d+ s/);
    // The curve grows step by step while the job runs.
    await page
      .getByRole('img', { name: /^Training loss: ([4-9]|[1-3]\d) steps of 40/ })
      .waitFor({ timeout: 30_000 });
    // The result panel was scrolled into view when training started.
    expect(await page.getByTestId('train-metrics').isVisible()).toBe(true);
    await shoot('train-dept-progress', false);
    await page.getByTestId('validation-accuracy').waitFor({ timeout: 90_000 });
    // Label scoring (the page's default for short runs) always answers a label word: 16 examples, k/16.
    const accuracy = Number((await page.getByTestId('validation-accuracy').textContent())!.replace('%', ''));
    expect(Number.isInteger(Math.round((accuracy / 100) * 16 * 10) / 10)).toBe(true);
    expect(await page.getByRole('img', { name: /^Training loss on spam: 40 steps/ }).count()).toBe(1);
    const adapter = (await page.getByTestId('trained-adapter').textContent())!;
    expect(adapter).toMatch(/^spam-dept-/);
    await shoot('train-dept');
    await page.getByRole('button', { name: 'Predict with it' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByLabel('Adapter', { exact: true }).inputValue()).toBe(adapter);
    // Focus moved to the adapter chosen, not lost with the button.
    await expect
      .poll(() =>
        page.evaluate(
          () =>
            (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
              .id,
        ),
      )
      .toBe('adapter');
    // The text field holds an example of the adapter's task, in its template.
    expect(await page.getByLabel('Text to classify').inputValue()).toMatch(/Answer:\s*$/);
    // The settings are folded away when predicting; open them by keyboard.
    await page.getByText('Settings (model, how to predict)').focus();
    await page.keyboard.press('Enter');
    await page.getByLabel('predict', { exact: true }).selectOption('score');
    const predict = page.getByRole('button', { name: 'Predict with dept' });
    await expect.poll(() => predict.isEnabled()).toBe(true);
    await predict.click();
    await page.getByTestId('tuner-prediction').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('tuner-prediction').textContent()).toMatch(/^(ham|spam)$/);
    expect(
      await page
        .getByRole('listitem')
        .filter({ hasText: /log p -?\d/ })
        .count(),
    ).toBe(2);
    await shoot('predict-dept');
  });

  it('cancels a training run from the page', async () => {
    await open('/run/prompt-tuning');
    await page.getByRole('radio', { name: 'Train an adapter' }).check();
    await page.getByLabel('steps', { exact: true }).fill('400');
    await page.getByLabel('budgetTokens', { exact: true }).fill('6');
    const train = page.getByRole('button', { name: 'Train with prompt-tuning' });
    await expect.poll(() => train.isEnabled()).toBe(true);
    await train.click();
    await page.getByTestId('train-metrics').waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: 'Cancel' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Cancelled.' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Train with prompt-tuning' }).isEnabled()).toBe(true);
  });

  it('shows a method that throws (a corrupt adapter) as the run’s error, and the page keeps working', async () => {
    mkdirSync(join(adapterRoot, 'a-broken'), { recursive: true });
    // A config that reads, and no weights beside it: listed, and loading it throws inside the job.
    writeFileSync(
      join(adapterRoot, 'a-broken', 'adapter_config.json'),
      JSON.stringify({
        peft_type: 'PROMPT_TUNING_LORA',
        base_model_name_or_path: 'zoo:mini-lm',
        attune: { task: 'spam', labels: ['ham', 'spam'], steps: 1 },
      }),
    );
    await open('/run/dept');
    await page.getByLabel('Adapter', { exact: true }).selectOption('a-broken');
    await page.getByLabel('Text to classify').fill('Question: hello\nIs this email spam or ham?\nAnswer:');
    const predict = page.getByRole('button', { name: 'Predict with dept' });
    await expect.poll(() => predict.isEnabled()).toBe(true);
    await predict.click();
    const alert = page.getByRole('alert').filter({ hasText: 'The run failed' });
    await alert.waitFor({ timeout: 60_000 });
    const text = (await alert.textContent())!;
    expect(text).toMatch(/^The run failed\. adapter "a-broken": /);
    expect(text).not.toContain(adapterRoot); // the server's folders stay out of its answers
    await shoot('dept-error', false);
    // The server is up: the page runs C3PO next.
    await open('/run/c3po');
    await page.getByRole('button', { name: 'Run c3po' }).click();
    await page.getByTestId('remixed-answer').waitFor({ timeout: 60_000 });
    rmSync(join(adapterRoot, 'a-broken'), { recursive: true });
  });

  it('fits a narrow screen: both pages without sideways scrolling', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const hash of ['/run/c3po', '/run/dept']) {
      await open(hash);
      await page.getByRole('heading', { level: 1 }).waitFor();
      expect(await sideways(), hash).toBeLessThanOrEqual(0);
    }
    await open('/run/c3po');
    await page.getByRole('button', { name: 'Run c3po' }).click();
    await page.getByTestId('remixed-answer').waitFor({ timeout: 60_000 });
    expect(await sideways(), 'c3po result').toBeLessThanOrEqual(0);
    await shoot('narrow-c3po');
    await page.setViewportSize({ width: 1280, height: 800 });
  });
});
