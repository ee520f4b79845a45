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
  it('the committed card reserves metrics.corruptions (null until a benchmark records them)', () => {
    const card = JSON.parse(readFileSync(join(ZOO_MODELS_DIR, 'mini-clip', 'card.json'), 'utf8'));
    expect(card.metrics).toHaveProperty('corruptions', null);
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
