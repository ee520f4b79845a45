import { describe, expect, it } from 'vitest';
import {
  formatVerifyReports,
  formatZooList,
  listZoo,
  modelDigest,
  zooListJson,
  zooVerify,
} from '../src/index.js';

describe('attune zoo ls / verify', () => {
  it('ls --json lists id, size, per-file sha256 and headline metrics', async () => {
    const parsed = JSON.parse(await zooListJson()) as Array<Record<string, unknown>>;
    const clip = parsed.find((e) => e.id === 'zoo:mini-clip')!;
    expect(clip.kind).toBe('clip');
    expect(clip.bytes).toBe((clip.files as Array<{ bytes: number }>).reduce((s, f) => s + f.bytes, 0));
    for (const f of clip.files as Array<{ sha256: string }>) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(clip.sha256).toMatch(/^[0-9a-f]{64}$/);
    const metrics = clip.metrics as Record<string, number>;
    expect(Object.keys(metrics).sort()).toEqual([
      'fashion-mnist.ensemble_top1',
      'fashion-mnist.single_template_top1',
      'mnist.ensemble_top1',
      'mnist.single_template_top1',
    ]);
    expect(clip.retrain).toBe('pnpm zoo:train mini-clip');
  });

  it('ls prints one line per model with its size and accuracies', async () => {
    const entries = await listZoo();
    const text = formatZooList(entries);
    const clipLine = text.split('\n').find((l) => l.startsWith('zoo:mini-clip'))!;
    const m = entries.find((e) => e.id === 'zoo:mini-clip')!.metrics;
    expect(clipLine).toContain(
      `${(entries.find((e) => e.id === 'zoo:mini-clip')!.bytes / 1e6).toFixed(2)} MB`,
    );
    expect(clipLine).toContain(
      `mnist.single_template_top1 ${(100 * m['mnist.single_template_top1']!).toFixed(1)}%`,
    );
    // the sha256 column: a digest of the card's per-file hashes, as README's "sizes, sha256 and headline metrics"
    const digest = modelDigest(entries.find((e) => e.id === 'zoo:mini-clip')!.files);
    expect(clipLine).toContain(`  ${digest.slice(0, 12)}  `);
    expect(text.split('\n')[0]).toMatch(/^id +kind +size +sha256 +headline metrics$/);
    // every model has headline metrics, the MoE LM its base accuracy and oracle routing gap
    const moe = text.split('\n').find((l) => l.startsWith('zoo:mini-moe'))!;
    expect(moe).toMatch(/mean_base_accuracy \d+\.\d%.*mean_oracle_gap_points \d+\.\d pts/);
  });

  it('ls shows the language models with their kind, accuracy as a percentage and perplexity as a number', async () => {
    const entries = await listZoo();
    const lm = entries.find((e) => e.id === 'zoo:mini-lm')!;
    expect(lm.kind).toBe('causal-lm');
    expect(lm.parameters.total).toBe(1088256);
    const accuracy = lm.metrics['arithmetic.greedy_accuracy']!;
    const perplexity = lm.metrics['english.heldout_perplexity']!;
    const line = formatZooList(entries)
      .split('\n')
      .find((l) => l.startsWith('zoo:mini-lm'))!;
    expect(line).toContain('causal-lm');
    expect(line).toContain(`arithmetic.greedy_accuracy ${(100 * accuracy).toFixed(1)}%`);
    expect(line).toContain(`english.heldout_perplexity ${perplexity.toFixed(1)}`);
    expect(entries.find((e) => e.id === 'zoo:mini-rm')!.kind).toBe('reward-model');
  });

  it('verify checks every zoo model when given no ids', async () => {
    const reports = await zooVerify();
    expect(reports.map((r) => r.id)).toContain('zoo:mini-clip');
    expect(reports.every((r) => r.ok)).toBe(true);
    const text = formatVerifyReports(reports);
    expect(text).toMatch(/^ok {3}zoo:mini-clip$/m);
    expect(text).toMatch(/ok +[0-9a-f]{12} {2}onnx\/vision_model\.onnx/);
  });
});
