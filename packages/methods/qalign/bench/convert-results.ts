// Carries the results of the former JSONL harness (results/**/records.jsonl: greedy outputs, the ancestral
// samples and the QAlign chains of every (problem, seed)) into @attune/bench result stores: one record per
// (method, seed, problem) with the curve as budgets, computed by the same vote functions the methods use.
// No model runs: the converted numbers are those of the committed samples (test/convert-results.test.ts
// checks every curve point against the committed summary.json).
//
//   pnpm --filter @attune/method-qalign exec tsx bench/convert-results.ts results [results/beta-0.25 ...]
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import {
  type BenchRecord,
  harnessVersion,
  prepareSuite,
  ResultStore,
  resolveMethods,
  summarizeRun,
  writeReports,
} from '@attune/bench';
import type { BudgetOutcome, CandidateOutcomes, CurvePoint } from '@attune/contracts';
import { causalLMPlugin, rewardModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import {
  ARITHMETIC_LIST,
  arithmeticSuite,
  bestOfNPlugin,
  chainCurve,
  greedyPlugin,
  majorityVotePlugin,
  qalignPlugin,
  sampleVoteCurve,
  weightedMajorityVotePlugin,
} from '../src/index.js';
import type { ChainRecord, GreedyRecord, SamplesRecord } from './jsonl-records.js';

interface RunIdentity {
  seeds: number[];
  maxN: number;
  maxChainN?: number;
  problems: { count: number };
  beta: number;
  temperature: number;
  maxNewTokens: number;
  model: { source: string };
  reward: { source: string };
}

export interface Converted {
  readonly runId: string;
  readonly storePath: string;
  readonly records: number;
}

function readJsonl(path: string): Record<string, unknown>[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** Converts `<dir>/records.jsonl` (+ its summary.json for β_wmv and parameter counts) into `<outDir>/results.sqlite`. */
export async function convertResults(dir: string, outDir: string, runId = 'converted'): Promise<Converted> {
  const lines = readJsonl(join(dir, 'records.jsonl'));
  const head = lines[0] as { kind: string; identity: RunIdentity } | undefined;
  if (head?.kind !== 'run') throw new Error(`${dir}/records.jsonl does not start with the run identity line`);
  const identity = head.identity;
  const old = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as {
    parameters: { lm: number; reward: number };
    settings: { β_wmv: number };
  };
  const perToken = { lm: 2 * old.parameters.lm, reward: 2 * old.parameters.reward };
  const betaWmv = old.settings.β_wmv;
  const shared = {
    model: identity.model.source,
    temperature: identity.temperature,
    maxNewTokens: identity.maxNewTokens,
  };
  const rewarded = { ...shared, reward: identity.reward.source };
  const registry = new Registry()
    .register(onnxBackendPlugin)
    .register(causalLMPlugin)
    .register(rewardModelPlugin)
    .register(greedyPlugin)
    .register(majorityVotePlugin)
    .register(bestOfNPlugin)
    .register(weightedMajorityVotePlugin)
    .register(qalignPlugin)
    .register(arithmeticSuite);
  const methods = resolveMethods(registry, [
    { name: 'greedy', config: { model: shared.model, maxNewTokens: shared.maxNewTokens } },
    { name: 'majority-vote', config: { ...shared, n: identity.maxN } },
    { name: 'best-of-n', config: { ...rewarded, n: identity.maxN } },
    { name: 'weighted-majority-vote', config: { ...rewarded, n: identity.maxN, betaWmv } },
    {
      name: 'qalign',
      config: { ...rewarded, steps: identity.maxChainN ?? identity.maxN, beta: identity.beta },
    },
  ]);
  const limit = identity.problems.count;
  const prepared = await prepareSuite(registry, 'qalign-arithmetic', { list: ARITHMETIC_LIST }, limit);
  await prepared.suite.dispose();
  const problems = prepared.entries as { id: string; answer: string }[];
  const byKey = (kind: string) =>
    new Map(
      lines.filter((l) => l.kind === kind).map((l) => [`${String(l.problem)}|${l.seed ?? ''}`, l as unknown]),
    );
  const greedy = byKey('greedy') as Map<string, GreedyRecord>;
  const samples = byKey('samples') as Map<string, SamplesRecord>;
  const chains = byKey('chain') as Map<string, ChainRecord>;

  const storePath = resolve(outDir, 'results.sqlite');
  // The store is derived from records.jsonl: converting again replaces it.
  for (const suffix of ['', '-wal', '-shm']) rmSync(`${storePath}${suffix}`, { force: true });
  const store = ResultStore.open(storePath);
  const now = new Date().toISOString();
  try {
    store.createRun({
      runId,
      suite: 'qalign-arithmetic',
      suiteConfig: prepared.config,
      suiteConfigHash: prepared.configHash,
      sampleList: prepared.sampleList,
      sampleListSha256: prepared.sampleListSha256,
      sampleKeysSha256: prepared.sampleKeysSha256,
      sampleCount: problems.length,
      sampleLimit: limit === 200 ? null : limit,
      methods,
      seeds: identity.seeds,
      createdAt: now,
      harnessVersion: harnessVersion(),
    });
    let count = 0;
    for (const method of methods) {
      for (const seed of identity.seeds) {
        for (const [sampleIndex, problem] of problems.entries()) {
          const outcome = convertOne(method.name, problem, seed);
          if (!outcome) continue;
          const record: BenchRecord = {
            runId,
            suite: 'qalign-arithmetic',
            method: method.name,
            configHash: method.configHash,
            seed,
            sampleKey: problem.id,
            sampleIndex,
            family: familyOf(problem),
            prediction: outcome.prediction,
            label: problem.answer,
            correct: outcome.prediction === problem.answer,
            // Not measured by the former harness (it timed whole stages): zero, and the extra says why.
            latencyMs: 0,
            peakRssBytes: 0,
            peakRssScope: 'process',
            backend: 'onnxruntime-node (cpu)',
            threads: null,
            sampleList: prepared.sampleList,
            sampleListSha256: prepared.sampleListSha256,
            nodeVersion: process.version,
            worker: 0,
            pid: 0,
            attempt: 1,
            extra: { ...outcome.extra, convertedFrom: 'records.jsonl' },
            ...(outcome.budgets ? { budgets: outcome.budgets } : {}),
            ...(outcome.candidates ? { candidates: outcome.candidates } : {}),
            startedAt: now,
            finishedAt: now,
          };
          store.commitRecord(record);
          count++;
        }
      }
    }
    const summary = summarizeRun(store, runId);
    await writeReports(summary, outDir);
    return { runId, storePath, records: count };
  } finally {
    store.close();
  }

  function familyOf(problem: { id: string }): string {
    const entry = (prepared.entries as { id: string; steps: number }[]).find((p) => p.id === problem.id)!;
    return `${entry.steps}-step`;
  }

  /** As the suite's solveProblem: the curve as budgets, each with whether a candidate up to it is right. */
  function toBudgets(curve: readonly CurvePoint[], truth: string, hits: readonly boolean[]): BudgetOutcome[] {
    return curve.map((p) => ({
      budget: p.budget,
      prediction: p.answer ?? '',
      correct: p.answer === truth,
      flops: p.flops,
      anyCorrect: hits.slice(0, p.candidates).some(Boolean),
    }));
  }

  function convertOne(
    method: string,
    problem: { id: string; answer: string },
    seed: number,
  ):
    | {
        prediction: string;
        budgets?: BudgetOutcome[];
        candidates?: CandidateOutcomes;
        extra: Record<string, number>;
      }
    | undefined {
    if (method === 'greedy') {
      // Greedy decoding does not depend on the seed: the one greedy output stands for every seed.
      const g = greedy.get(`${problem.id}|`);
      if (!g) return undefined;
      return {
        prediction: g.answer ?? '',
        extra: { flops: perToken.lm * g.tokens, generatedTokens: g.tokens },
      };
    }
    if (method === 'qalign') {
      const c = chains.get(`${problem.id}|${seed}`);
      if (!c) return undefined;
      const curve = chainCurve(
        c.answers.map((a) => a ?? undefined),
        c.tokens,
        c.rewardTokens,
        perToken,
      );
      const steps = c.accepted.length;
      // The chain's states carry no stored rewards, and the suite reports none for states (suite.ts).
      const hits = c.answers.map((a) => a === problem.answer);
      return {
        prediction: curve.at(-1)!.answer ?? '',
        budgets: toBudgets(curve, problem.answer, hits),
        candidates: { correct: hits },
        extra: {
          flops: curve.at(-1)!.flops,
          acceptanceRate: c.accepted.reduce((a, b) => a + b, 0) / steps,
        },
      };
    }
    const s = samples.get(`${problem.id}|${seed}`);
    if (!s) return undefined;
    const curve = sampleVoteCurve(
      method as 'best-of-n' | 'majority-vote' | 'weighted-majority-vote',
      {
        answers: s.answers.map((a) => a ?? undefined),
        rewards: s.rewards.map((r) => (r === null ? Number.NaN : r)),
        tokens: s.tokens,
        rewardTokens: s.rewardTokens,
      },
      perToken,
      betaWmv,
    );
    const hits = s.answers.map((a) => a === problem.answer);
    return {
      prediction: curve.at(-1)!.answer ?? '',
      budgets: toBudgets(curve, problem.answer, hits),
      // Majority vote reads no rewards; best-of-n and the weighted vote rank these samples by them.
      candidates: { correct: hits, ...(method === 'majority-vote' ? {} : { scores: s.rewards }) },
      extra: { flops: curve.at(-1)!.flops },
    };
  }
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(new URL(import.meta.url).pathname)) {
  for (const dir of process.argv.slice(2).filter((a) => a !== '--')) {
    const converted = await convertResults(dir, join(dir, 'bench'));
    process.stderr.write(`${dir}: ${converted.records} records -> ${converted.storePath}\n`);
  }
}
