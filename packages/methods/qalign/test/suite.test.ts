// QAlign's benchmark as a suite on @attune/bench: the suite conformance, and a real run (mini-lm, mini-rm)
// of majority vote (n = 4) and QAlign (4 steps) on the first 3 pinned problems, whose records carry the
// curve at budgets 1, 2, 4 and whose summary reports accuracy per budget.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResultStore, runBenchmark, summarizeRun } from '@attune/bench';
import type { TextAnswerMethod } from '@attune/contracts';
import { describeSuiteConformance } from '@attune/standard-tests';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ARITHMETIC_LIST,
  arithmeticSuite,
  loadProblemList,
  MINI_LM_HELDOUT,
  majorityVote,
} from '../src/index.js';
import { majorityVotePlugin, qalignPlugin } from '../src/plugin.js';
import { modelRegistry } from './support/fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-qalign-suite-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSuiteConformance({
  plugin: arithmeticSuite,
  // The suite needs text-answer: the registry the harness uses has the methods.
  registry: () => modelRegistry(majorityVotePlugin, arithmeticSuite),
  minSamples: 200,
  badConfigs: [{ label: 'list = ""', config: { list: '' }, path: 'list' }],
});

describe('qalign-arithmetic through the harness', () => {
  it('records each method’s curve as budgets and summarises accuracy per budget', async () => {
    const registry = modelRegistry(majorityVotePlugin, qalignPlugin, arithmeticSuite);
    const store = ResultStore.open(join(dir, 'results.sqlite'));
    const small = { maxNewTokens: 24, threads: 1 };
    try {
      const result = await runBenchmark({
        registry,
        suite: 'qalign-arithmetic',
        methods: [
          { name: 'majority-vote', config: { ...small, n: 4 } },
          { name: 'qalign', config: { ...small, steps: 4 } },
        ],
        seeds: [0],
        limit: 3,
        store,
      });
      expect(result.evaluated).toBe(6);
      const records = store.records(result.run.runId);
      const problems = loadProblemList(ARITHMETIC_LIST, MINI_LM_HELDOUT).slice(0, 3);
      for (const r of records) {
        expect(r.budgets!.map((b) => b.budget)).toEqual([1, 2, 4]);
        expect(r.label).toBe(problems[r.sampleIndex]!.answer);
        for (const b of r.budgets!) expect(b.correct).toBe(b.prediction === r.label);
        // The largest budget is the method's own answer (QAlign's default select is the majority vote).
        expect(r.budgets!.at(-1)!.prediction).toBe(r.prediction);
        const flops = r.budgets!.map((b) => b.flops!);
        expect(flops[0]).toBeGreaterThan(0);
        expect(flops[2]).toBeGreaterThanOrEqual(flops[1]!);
        expect(flops[2]).toBeCloseTo(Number(r.extra!.flops), -3);
      }
      const summary = summarizeRun(store, result.run.runId);
      for (const m of summary.methods) {
        expect(m.budgets!.map((b) => b.budget)).toEqual([1, 2, 4]);
        for (const b of m.budgets!) {
          const mine = records.filter((r) => r.method === m.name);
          const hits = mine.filter((r) => r.budgets!.find((x) => x.budget === b.budget)!.correct).length;
          expect(b.accuracy.mean).toBe(hits / 3);
        }
      }
    } finally {
      store.close();
    }
  }, 180_000);

  it('the curve of a majority vote is the vote of the first n samples', async () => {
    const registry = modelRegistry(majorityVotePlugin);
    const method = await registry.create<TextAnswerMethod>(
      'majority-vote',
      { n: 8, maxNewTokens: 24, threads: 1 },
      { seed: 3 },
    );
    try {
      const [problem] = loadProblemList(ARITHMETIC_LIST, MINI_LM_HELDOUT);
      const result = await method.solve({ prompt: problem!.question }, { seed: 3 });
      expect(result.curve!.map((p) => p.budget)).toEqual([1, 2, 4, 8]);
      expect(result.curve!.at(-1)!.answer).toBe(result.answer);
      // With every sample voting, the 8-sample point is the tally behind result.votes.
      expect(
        majorityVote(result.votes.flatMap((v) => Array(v.count).fill(v.answer ?? undefined))).answer ?? null,
      ).toBe(result.answer);
      expect(result.curve!.at(-1)!.flops).toBeCloseTo(result.cost.flops, -3);
    } finally {
      await method.dispose();
    }
  }, 120_000);
});
