import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CorruptionMetrics, verifyModel, writeCorruptionMetrics, ZOO_MODELS_DIR } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-corrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync(join(ZOO_MODELS_DIR, 'mini-clip'), dir, { recursive: true });

const metrics: CorruptionMetrics = {
  source: 'test',
  date: '2026-01-01',
  results: [
    {
      corruption: 'gaussian_noise',
      severity: 5,
      dataset: 'mnist',
      prompt: 'single_template',
      top1: 0.42,
      images: 1000,
    },
  ],
};

describe('corruption metrics hook', () => {
  it('the committed card records zero-shot top-1 for every corruption × severity × dataset, lower under severity 5', () => {
    const card = JSON.parse(readFileSync(join(ZOO_MODELS_DIR, 'mini-clip', 'card.json'), 'utf8'));
    const results = card.metrics.corruptions.results as {
      corruption: string;
      severity: number;
      dataset: string;
      top1: number;
    }[];
    expect(results).toHaveLength(15 * 5 * 2);
    for (const dataset of ['mnist', 'fashion_mnist']) {
      const clean = card.metrics[dataset].single_template_top1 as number;
      const severe = results.filter((r) => r.dataset === dataset && r.severity === 5);
      const mean = severe.reduce((s, r) => s + r.top1, 0) / severe.length;
      expect(mean).toBeLessThan(clean - 0.2); // the suite leaves test-time methods room
    }
  });

  it('records results in card.json, keeps the clean metrics, and the folder still verifies', async () => {
    const before = JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8'));
    const updated = await writeCorruptionMetrics(dir, metrics);
    expect(updated.metrics.corruptions).toEqual(metrics);
    expect(updated.metrics.mnist).toEqual(before.metrics.mnist);
    expect(JSON.parse(readFileSync(join(dir, 'card.json'), 'utf8')).metrics.corruptions).toEqual(metrics);
    expect((await verifyModel(dir)).ok).toBe(true);
  });

  it('rejects malformed results, naming the field', async () => {
    const bad = { ...metrics, results: [{ ...metrics.results[0]!, severity: 6 }] };
    await expect(writeCorruptionMetrics(dir, bad)).rejects.toThrow(
      'results[0].severity must be an integer 1..5, got 6',
    );
    const pct = { ...metrics, results: [{ ...metrics.results[0]!, top1: 42 }] };
    await expect(writeCorruptionMetrics(dir, pct)).rejects.toThrow(
      'results[0].top1 must be a fraction in [0, 1], got 42',
    );
  });
});
