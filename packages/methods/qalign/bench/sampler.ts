// The cost of one QAlign step, and the suffix sampler against a bare onnxruntime-node decode loop, side by side
// in one run. `pnpm --filter @attune/method-qalign bench:sampler [-- --chains 50 --warm-steps 8 --runs 7]`.
//
// 1. Chains of the pinned problems are advanced a few steps (so the states are real outputs), then the next
//    proposal's workload is frozen: the prefixes prompt + y[:i], their budgets, the current states' caches.
//    Timed, alternating, a full garbage collection before each:
//    - the sampler: lm.generate with the states' caches (what runChains does: only each prefix's last token
//      is fed, the kept tokens are not recomputed);
//    - the same call without caches (the whole prefix recomputed, as before this change);
//    - a bare loop written straight against onnxruntime-node: left-padded prefill of the same prefixes, one
//      token per row per call with the presents fed back, softmax sampling with Math.random, running until
//      every row has as many new tokens as the sampler gave it (no checks, no streams, no row dropping).
//    tokens/s = new tokens / wall time. The sampler's target: ≥ 80 % of the bare loop.
// 2. Whole chain steps (LM proposal + reward model + accept), with and without the cache: ms per step for the
//    block, tokens fed before sampling, tokens generated, tokens the reward model read.
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  type CausalLM,
  type KvCache,
  loadCausalLM,
  loadRewardModel,
  type OnnxCausalLM,
} from '@attune/models';
import { createRng } from '@attune/tensor/numerics';
import { formatTable, summarize } from '@attune/timing';
import { type CausalLMModelConfig, resolveModel, ZOO_MODELS_DIR } from '@attune/zoo';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { encodePrompt, formatPrompt, outputBudget } from '../src/generation.js';
import { loadProblemList } from '../src/problems.js';
import { type ChainOptions, runChains } from '../src/qalign.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    model: { type: 'string', default: 'zoo:mini-lm' },
    reward: { type: 'string', default: 'zoo:mini-rm' },
    chains: { type: 'string', default: '50' },
    'warm-steps': { type: 'string', default: '8' },
    'chain-steps': { type: 'string', default: '16' },
    runs: { type: 'string', default: '7' },
    threads: { type: 'string', default: '1' },
    'max-new-tokens': { type: 'string', default: '96' },
  },
});
const chainCount = Number(values.chains);
const warmSteps = Number(values['warm-steps']);
const chainSteps = Number(values['chain-steps']);
const runs = Number(values.runs);
const threads = Number(values.threads);
const maxNewTokens = Number(values['max-new-tokens']);
/** New tokens per row in the like-for-like comparison. */
const UNIFORM = 32;
const RESULTS = fileURLToPath(new URL('../results/sampler.md', import.meta.url));
const gc = () => (globalThis as { gc?: () => void }).gc?.();

const resolved = await resolveModel(values.model);
const config = resolved.config as CausalLMModelConfig;
const lm = (await loadCausalLM(values.model, { threads })) as OnnxCausalLM;
const rm = await loadRewardModel(values.reward, { threads });
const problems = loadProblemList(
  fileURLToPath(new URL('../lists/arithmetic-200.tsv', import.meta.url)),
  `${ZOO_MODELS_DIR}/mini-lm/heldout.jsonl`,
).slice(0, chainCount);
const prompts = problems.map((p) => encodePrompt(lm, formatPrompt(p.question, '', lm)));

/** The same LM with caches stripped: runChains then recomputes prompt + y[:i] every step. */
const noCacheLM: CausalLM = {
  source: lm.source,
  config: lm.config,
  encode: (t, o) => lm.encode(t, o),
  decode: (ids) => lm.decode(ids),
  tokenLogProbs: (p, c) => lm.tokenLogProbs(p, c),
  dispose: async () => undefined,
  generate: async (prefixes, o) =>
    (await lm.generate(prefixes, { ...o, returnCaches: false })).map(({ cache: _c, ...g }) => g),
};

const chainOptions = (steps: number, seed: number): ChainOptions => ({
  steps,
  beta: 1,
  temperature: 1,
  maxNewTokens,
  rewardClip: 40,
  logRatioClip: 20,
  batchSize: Math.max(64, chainCount),
  lmRng: createRng(seed).fork('lm'),
});
const specs = (seed: number) =>
  prompts.map((prompt, k) => ({ prompt, rng: createRng(seed).fork('chain').fork(k) }));

// ---- 1. the proposal's LM call, frozen after warm-up steps ---------------------------------------------------
const warm = await runChains(lm, rm, specs(0), chainOptions(warmSteps, 0));
// Recreate each chain's current state and cache: regenerate its path is not possible, so take the current
// state's tokens and compute its cache once (a prefill, untimed).
const current = warm.map((t) => t.states[t.path[t.path.length - 1]!]!);
const stateSeqs = current.map((s, k) => [...prompts[k]!.ids, ...s.tokens.slice(0, -1)]);
const caches: KvCache[] = (
  await lm.generate(stateSeqs, { maxNewTokens: 1, temperature: 0, returnCaches: true, batchSize: 64 })
).map((g) => g.cache!);
const rng = createRng(42);
const indices = current.map((s) => rng.int(0, s.tokens.length));
const prefixes = current.map((s, k) => [...prompts[k]!.ids, ...s.tokens.slice(0, indices[k])]);
const budgets = prompts.map((p, k) => outputBudget(lm, p, maxNewTokens, rm) - indices[k]!);
const callOptions = {
  maxNewTokens: Math.max(...budgets),
  temperature: 1,
  seed: 7,
  batchSize: Math.max(64, chainCount),
};

/** uniform: every row samples exactly UNIFORM tokens (no stop token), the work a bare loop does too. */
async function sampler(withCache: boolean, uniform = false): Promise<number[]> {
  const gens = await lm.generate(prefixes, {
    ...callOptions,
    ...(uniform ? { maxNewTokens: UNIFORM, stopTokens: [] } : {}),
    returnCaches: true,
    ...(withCache ? { prefixCaches: caches } : {}),
  });
  // Tokens sampled per row, the stop token included (rows of one call all run up to the largest budget).
  return gens.map((g) => g.tokens.length + (g.stopReason === 'stop' ? 1 : 0));
}

const bare = await InferenceSession.create(resolved.files.decoder!.path, {
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
});

/** The bare loop: prefill + decode until row r has `counts[r]` sampled tokens. Returns tokens sampled. */
async function bareLoop(counts: readonly number[]): Promise<number> {
  const rows = prefixes.length;
  const width = Math.max(...prefixes.map((p) => p.length));
  const pad = prefixes.map((p) => width - p.length);
  const ids = new BigInt64Array(rows * width).fill(BigInt(config.padTokenId));
  const positions = new BigInt64Array(rows * width);
  prefixes.forEach((p, r) => {
    p.forEach((id, i) => {
      ids[r * width + pad[r]! + i] = BigInt(id);
      positions[r * width + pad[r]! + i] = BigInt(i);
    });
  });
  const nextPosition = prefixes.map((p) => p.length);
  const past: Record<string, Tensor> = {};
  for (let l = 0; l < config.numLayers; l++) {
    for (const kv of ['key', 'value']) {
      past[`past_key_values.${l}.${kv}`] = new Tensor('float32', new Float32Array(0), [
        rows,
        config.numKvHeads,
        0,
        config.headDim,
      ]);
    }
  }
  const mask = (total: number) => {
    const m = new BigInt64Array(rows * total).fill(1n);
    for (let r = 0; r < rows; r++) m.fill(0n, r * total, r * total + pad[r]!);
    return new Tensor('int64', m, [rows, total]);
  };
  let out = await bare.run({
    input_ids: new Tensor('int64', ids, [rows, width]),
    attention_mask: mask(width),
    position_ids: new Tensor('int64', positions, [rows, width]),
    ...past,
  });
  let fed = width;
  let total = width;
  const weights = new Float64Array(config.vocabSize);
  const steps = Math.max(...counts);
  let sampled = 0;
  for (let step = 0; step < steps; step++) {
    const logits = out.logits!.data as Float32Array;
    const next = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      if (step >= counts[r]!) continue;
      const offset = (r * fed + fed - 1) * config.vocabSize;
      let max = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < config.vocabSize; v++) max = Math.max(max, logits[offset + v]!);
      let sum = 0;
      for (let v = 0; v < config.vocabSize; v++) {
        weights[v] = Math.exp(logits[offset + v]! - max);
        sum += weights[v]!;
      }
      let u = Math.random() * sum;
      let token = config.vocabSize - 1;
      for (let v = 0; v < config.vocabSize; v++) {
        u -= weights[v]!;
        if (u < 0) {
          token = v;
          break;
        }
      }
      next[r] = BigInt(token);
      sampled++;
    }
    if (step === steps - 1) break;
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', next, [rows, 1]),
      attention_mask: mask(total + 1),
      position_ids: new Tensor(
        'int64',
        BigInt64Array.from(nextPosition, (p) => BigInt(p)),
        [rows, 1],
      ),
    };
    for (let r = 0; r < rows; r++) nextPosition[r]! += 1;
    for (const name of Object.keys(past)) feeds[name] = out[name.replace('past_key_values.', 'present.')]!;
    out = await bare.run(feeds);
    fed = 1;
    total += 1;
  }
  return sampled;
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  gc();
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

const median = (xs: number[]) => summarize(xs).medianMs;
/** Times the three contenders alternately; rows of the table with tokens/s and the ratio to the bare loop. */
async function compare(uniform: boolean): Promise<{ rows: (string | number)[][]; newTokens: number }> {
  // The sampler's token counts per row fix the bare loop's work (same rows, same new tokens per row).
  const counts = await sampler(true, uniform);
  const newTokens = counts.reduce((a, b) => a + b, 0);
  for (let w = 0; w < 2; w++) {
    await sampler(true, uniform);
    await sampler(false, uniform);
    await bareLoop(counts);
  }
  const times = { cached: [] as number[], recomputed: [] as number[], bare: [] as number[] };
  for (let run = 0; run < runs; run++) {
    times.cached.push((await timed(() => sampler(true, uniform))).ms);
    times.recomputed.push((await timed(() => sampler(false, uniform))).ms);
    times.bare.push((await timed(() => bareLoop(counts))).ms);
  }
  const bareMs = median(times.bare);
  const rows = [
    ['suffix sampler, kept prefix from the cache (runChains)', times.cached],
    ['suffix sampler, kept prefix recomputed (no cache)', times.recomputed],
    ['bare onnxruntime loop (prefill + decode)', times.bare],
  ].map(([name, xs]) => {
    const ms = median(xs as number[]);
    return [name as string, ms, Math.round((newTokens / ms) * 1000), `${((100 * bareMs) / ms).toFixed(1)} %`];
  });
  return { rows, newTokens };
}
const uniformRun = await compare(true);
const realRun = await compare(false);
const newTokens = realRun.newTokens;
const fedCached = prefixes.length;
const fedRecomputed = prefixes.reduce((n, p) => n + p.length, 0);
const keptMean = indices.reduce((a, b) => a + b, 0) / indices.length;

// ---- 2. whole chain steps --------------------------------------------------------------------------------------
const stepRows: (string | number)[][] = [];
for (const [name, model] of [
  ['with the cache', lm],
  ['recomputing the kept prefix', noCacheLM],
] as const) {
  const ms: number[] = [];
  let traces: Awaited<ReturnType<typeof runChains>> = [];
  for (let run = 0; run < Math.max(3, Math.ceil(runs / 2)); run++) {
    const t = await timed(() => runChains(model, rm, specs(run + 1), chainOptions(chainSteps, run + 1)));
    ms.push(t.ms);
    traces = t.value;
  }
  const perStep = (f: (t: (typeof traces)[number]) => number[]) =>
    traces.reduce(
      (n, t) =>
        n +
        f(t)
          .slice(1)
          .reduce((a, b) => a + b, 0),
      0,
    ) /
    (traces.length * chainSteps);
  stepRows.push([
    name,
    (median(ms) / (chainSteps + 1)).toFixed(1),
    perStep((t) => t.prefillTokens).toFixed(1),
    perStep((t) => t.generatedTokens).toFixed(1),
    perStep((t) => t.rewardTokens).toFixed(1),
  ]);
}
await Promise.all([lm.dispose(), rm.dispose(), bare.release()]);

const load = loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ');
const proposalHeader = ['proposal LM call', 'wall ms (median)', 'new tokens/s', 'vs bare loop'];
const stepHeader = [
  `chain step (${chainCount} chains)`,
  'ms per step (median)',
  'LM tokens fed before sampling, per chain',
  'LM tokens generated, per chain',
  'reward-model tokens read, per chain',
];
const text = [
  '# QAlign: the suffix sampler and the cost of a step',
  '',
  `\`pnpm --filter @attune/method-qalign bench:sampler\` (bench/sampler.ts): ${values.model} + ${values.reward}, ` +
    `the first ${chainCount} problems of lists/arithmetic-200.tsv, ${threads} onnxruntime thread(s), at most ${maxNewTokens} new tokens. ` +
    `onnxruntime-node, cpu; ${availableParallelism()} cores, load average ${load} at the end (other jobs share this machine); ` +
    `${new Date().toISOString().slice(0, 10)}.`,
  '',
  `## One proposal (${chainCount} rows, after ${warmSteps} chain steps)`,
  '',
  `**Like for like** (the ≥ 80 % target): every row samples exactly ${UNIFORM} new tokens (no stop token), ` +
    `${uniformRun.newTokens} in all; the bare loop does the same after a prefill of the same prefixes.`,
  '',
  formatTable(proposalHeader, uniformRun.rows),
  '',
  '**The real proposal** (rows stop at their own EOS and budget):',
  '',
  `Each chain's next proposal: i ~ Uniform{0..|y|−1} (mean kept ${keptMean.toFixed(1)} output tokens), continue prompt + y[:i]. ` +
    `${newTokens} new tokens in all. With the cache the LM is fed ${fedCached} tokens before sampling (each prefix's last); ` +
    `without it ${fedRecomputed} (every prefix whole). The bare loop samples exactly as many tokens per row as the sampler did, after a ` +
    `prefill of the same prefixes, but keeps every row in the batch to the longest (it has no row dropping, the adapter ` +
    `does), so here the ratio flatters the adapter. Median of ${runs} runs, the three alternating after 2 warm-up rounds, ` +
    'a full GC before each.',
  '',
  formatTable(proposalHeader, realRun.rows),
  '',
  `## A whole step: proposal + reward model + accept (${chainSteps} steps from y0, median of ${Math.max(3, Math.ceil(runs / 2))} runs)`,
  '',
  formatTable(stepHeader, stepRows),
  '',
  'ms per step = wall time of runChains / (steps + 1) (y0 counts as one). The reward model re-reads prompt + output ' +
    'every step (it has no cache to reuse: its input changes after index i), so it dominates the step once the LM ' +
    'stops recomputing the prefix.',
  '',
].join('\n');
mkdirSync(fileURLToPath(new URL('../results/', import.meta.url)), { recursive: true });
writeFileSync(RESULTS, text);
console.log(text);
