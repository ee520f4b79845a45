// The reward models' ranking on the benchmark's own samples, measured as the report measures it
// (bench/headroom.ts rewardRanking: AUC pooled over all samples and mean within-problem AUC), several reward
// models on the same samples. `tsx bench/rank-rewards.ts --problems 50 --samples 64 --rewards zoo:mini-rm,<dir>`
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCausalLM, loadRewardModel } from '@attune/models';
import { createRng } from '@attune/tensor/numerics';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { callSeed, encodePrompt, formatPrompt, outputBudget, scoreRows } from '../src/generation.js';
import { sampleCompletions } from '../src/method.js';
import { loadProblemList } from '../src/problems.js';
import { rewardRanking } from './headroom.js';
import type { SamplesRecord } from './jsonl-records.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    problems: { type: 'string', default: '50' },
    samples: { type: 'string', default: '64' },
    seed: { type: 'string', default: '0' },
    rewards: { type: 'string', default: 'zoo:mini-rm' },
    threads: { type: 'string', default: '1' },
  },
});
const seed = Number(values.seed);
const threads = Number(values.threads);
const problems = loadProblemList(
  fileURLToPath(new URL('../lists/arithmetic-200.tsv', import.meta.url)),
  `${ZOO_MODELS_DIR}/mini-lm/heldout.jsonl`,
).slice(0, Number(values.problems));
const lm = await loadCausalLM('zoo:mini-lm', { threads });
const rms = await Promise.all(values.rewards.split(',').map((r) => loadRewardModel(r, { threads })));
const truth = new Map(problems.map((p) => [p.id, p.answer]));
const records = rms.map(() => [] as SamplesRecord[]);
for (const p of problems) {
  const prompt = encodePrompt(lm, formatPrompt(p.question, '', lm));
  // The harness's stream for this (problem, seed): the same samples as the benchmark's.
  const samples = await sampleCompletions(lm, prompt, Number(values.samples), {
    temperature: 1,
    budget: outputBudget(lm, prompt, 96, rms[0]),
    batchSize: 256,
    seed: callSeed(createRng(seed).fork('samples').fork(p.id)),
  });
  for (const [k, rm] of rms.entries()) {
    const scored = await scoreRows(
      lm,
      rm,
      samples.map((s) => ({ prompt: prompt.text, completion: s.text })),
      {
        clip: 40,
        batchSize: 64,
      },
    );
    records[k]!.push({
      kind: 'samples',
      problem: p.id,
      seed,
      answers: samples.map((s) => s.answer ?? null),
      rewards: scored.rewards.map((r) => (Number.isNaN(r) ? null : r)),
      tokens: samples.map((s) => s.tokens.length),
      rewardTokens: scored.tokens,
    });
  }
}
console.log(
  `${problems.length} problems of lists/arithmetic-200.tsv, ${values.samples} samples each (seed ${seed}):`,
);
values.rewards.split(',').forEach((name, k) => {
  const r = rewardRanking(records[k]!, truth);
  console.log(
    `${name}: pooled AUC ${r.pooledAuc.toFixed(3)}, within-problem AUC ${r.withinProblemAuc.toFixed(3)} (${r.mixedUnits} problems with both), sample accuracy ${(100 * r.sampleAccuracy).toFixed(1)} %`,
  );
});
await Promise.all([lm.dispose(), ...rms.map((m) => m.dispose())]);
