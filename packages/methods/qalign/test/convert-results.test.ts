// The committed results of the former JSONL harness, carried into @attune/bench stores by
// bench/convert-results.ts, give every curve point of the committed summary.json: the same accuracy per
// seed at every N for every method, and the same mean FLOPs; where the committed summary has them, the same
// 95 % bootstrap intervals, pass@N (samples and chain states) and reward-model AUCs (pooled, within a problem).
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
  ci95?: [number, number];
}

interface OldHeadroom {
  n: number;
  passAtN: number;
  chainPassAtN: number | null;
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
      headroom: OldHeadroom[];
      rewardRanking: {
        pooledAuc: number;
        withinProblemAuc: number;
        mixedUnits: number;
        sampleAccuracy: number;
      };
    };
    const store = ResultStore.open(converted.storePath);
    try {
      const summary = summarizeRun(store, converted.runId);
      expect(summary.complete).toBe(true);
      expect(summary.recorded).toBe(5 * old.seeds.length * old.problems);
      let compared = 0;
      let intervals = 0;
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
        // Same units (problems in list order, seeds pooled), same stream: the intervals come out identical.
        if (point.ci95) {
          expect(stat!.interval95).toEqual(point.ci95.map((x) => expect.closeTo(x, 12)));
          intervals++;
        }
        compared++;
      }
      expect(compared).toBeGreaterThan(30);
      if (sub === 'chains-1024') expect(intervals).toBeGreaterThan(30);
      // pass@N: of the samples (every sample method reports the same) and of the chain's N + 1 states.
      const passAt = (name: string, n: number) =>
        summary.methods.find((m) => m.name === name)!.budgets!.find((b) => b.budget === n)?.passAt?.mean;
      for (const row of old.headroom) {
        for (const name of ['majority-vote', 'best-of-n', 'weighted-majority-vote']) {
          if (Number.isNaN(row.passAtN) || row.passAtN === null) continue;
          expect(passAt(name, row.n), `${name} pass@${row.n}`).toBeCloseTo(row.passAtN, 12);
        }
        if (row.chainPassAtN !== null) {
          expect(passAt('qalign', row.n), `qalign pass@${row.n}`).toBeCloseTo(row.chainPassAtN, 12);
        }
      }
      // The reward model's AUC on the samples, as best-of-n and the weighted vote rank them.
      for (const name of ['best-of-n', 'weighted-majority-vote']) {
        const r = summary.methods.find((m) => m.name === name)!.ranking!;
        expect(r.pooledAuc).toBeCloseTo(old.rewardRanking.pooledAuc, 12);
        expect(r.withinSampleAuc).toBeCloseTo(old.rewardRanking.withinProblemAuc, 12);
        expect(r.mixedUnits).toBe(old.rewardRanking.mixedUnits);
        expect(r.candidateAccuracy).toBeCloseTo(old.rewardRanking.sampleAccuracy, 12);
      }
      expect(summary.methods.find((m) => m.name === 'majority-vote')!.ranking).toBeUndefined();
      expect(summary.methods.find((m) => m.name === 'qalign')!.ranking).toBeUndefined();
    } finally {
      store.close();
    }
  }, 120_000);
});
