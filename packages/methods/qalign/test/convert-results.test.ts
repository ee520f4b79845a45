// The committed results of the former JSONL harness, carried into @attune/bench stores by
// bench/convert-results.ts, give every curve point of the committed summary.json: the same accuracy per
// seed at every N for every method, and the same mean FLOPs.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ResultStore, summarizeRun } from '@attune/bench';
import { afterAll, describe, expect, it } from 'vitest';
import { convertResults } from '../bench/convert-results.js';

const results = fileURLToPath(new URL('../results', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'attune-qalign-convert-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface OldPoint {
  method: string;
  n: number;
  perSeed: number[];
  mean: number;
  flops: number;
}

describe.each(['.', 'beta-0.25', 'chains-1024'])('results/%s', (sub) => {
  it('converts into a bench store whose per-budget accuracy and FLOPs equal the committed summary', async () => {
    const dir = join(results, sub);
    const out = join(tmp, sub === '.' ? 'main' : sub);
    const converted = await convertResults(dir, out);
    const old = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
      points: OldPoint[];
      seeds: number[];
      problems: number;
    };
    const store = ResultStore.open(converted.storePath);
    try {
      const summary = summarizeRun(store, converted.runId);
      expect(summary.complete).toBe(true);
      expect(summary.recorded).toBe(5 * old.seeds.length * old.problems);
      let compared = 0;
      for (const point of old.points) {
        const method = summary.methods.find((m) => m.name === point.method)!;
        if (point.method === 'greedy') {
          // Seed-independent: the former harness reported it once, the store has it under every seed.
          expect(method.overall.mean).toBeCloseTo(point.mean, 12);
          for (const s of method.overall.perSeed) expect(s.accuracy).toBeCloseTo(point.perSeed[0]!, 12);
          compared++;
          continue;
        }
        const stat = method.budgets!.find((b) => b.budget === point.n);
        if (Number.isNaN(point.mean) || point.perSeed.length === 0) {
          expect(stat).toBeUndefined();
          continue;
        }
        expect(stat, `${point.method} at N = ${point.n}`).toBeDefined();
        expect(stat!.accuracy.perSeed.map((s) => s.accuracy)).toEqual(
          point.perSeed.map((x) => expect.closeTo(x, 12)),
        );
        expect(stat!.accuracy.mean).toBeCloseTo(point.mean, 12);
        expect(stat!.flops! / point.flops).toBeCloseTo(1, 9);
        compared++;
      }
      expect(compared).toBeGreaterThan(30);
    } finally {
      store.close();
    }
  }, 120_000);
});
