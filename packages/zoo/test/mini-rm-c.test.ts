// zoo:mini-rm-c, the step-verifier (process) reward model: the shared reward-folder checks (config, sha256,
// tokenizer, onnxruntime parity with torch on the reference pairs), the card's AUC figures, and that the
// exported scorer ranks a held-out reference solution above the same solution with one slipped step.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type RewardModelConfig, resolveModel } from '../src/index.js';
import { loadTokenizer } from './helpers/clip-runtime.js';
import { int64 } from './helpers/lm-runtime.js';
import { describeRewardFolder } from './helpers/reward-folder.js';

await describeRewardFolder('zoo:mini-rm-c');
const model = await resolveModel('zoo:mini-rm-c');
const config = model.config as RewardModelConfig;

interface Heldout {
  within_problem_auc: number;
  pooled_auc: number;
  problems_with_both: number;
  exact_check_within_problem_auc: number;
}

describe('zoo:mini-rm-c card metrics', () => {
  const heldout = model.card!.metrics.heldout as unknown as Heldout;
  it('is a trained model (not a smoke run) whose card records both AUCs on held-out problems', () => {
    expect((model.card as unknown as { smoke: boolean }).smoke).toBe(false);
    expect(heldout.problems_with_both).toBeGreaterThanOrEqual(100);
    expect(heldout.pooled_auc).toBeGreaterThan(0.5);
  });
  it("ranks within a problem at AUC >= 0.75 on held-out problems (issue 21's target; zoo:mini-rm: 0.567)", () => {
    expect(heldout.within_problem_auc).toBeGreaterThanOrEqual(0.75);
    // The exact step check it learns from is the ceiling of a step verifier on these samples.
    expect(heldout.within_problem_auc).toBeLessThan(heldout.exact_check_within_problem_auc);
  });
});

describe('zoo:mini-rm-c scores a slipped step below the right one', () => {
  const tokenizer = loadTokenizer(model);
  const scorerPromise = ort.InferenceSession.create(model.files.scorer!.path, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  afterAll(async () => (await scorerPromise).release());

  it('on the first 40 problems of mini-lm/heldout.jsonl, the reference outscores a +10 slip in its first step in at least 3 of 4 (committed model: 37 of 40; the first, embeddings-only design: 25)', async () => {
    const lm = await resolveModel('zoo:mini-lm');
    const problems = readFileSync(join(lm.dir, 'heldout.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 40)
      .map((l) => JSON.parse(l) as { question: string; solution: string });
    const scorer = await scorerPromise;
    let wins = 0;
    for (const p of problems) {
      const prompt = `Question: ${p.question}\nAnswer:`;
      // The LM's most common slip: the first result off by ten (the rest of the text unchanged).
      const slipped = p.solution.replace(/= (\d+)\./, (_, c: string) => `= ${Number(c) + 10}.`);
      const rows = [` ${p.solution}`, ` ${slipped}`].map((c) => [
        ...tokenizer.encode(prompt + c).ids,
        config.eosTokenId,
      ]);
      const width = Math.max(...rows.map((r) => r.length));
      const ids = rows.map((r) => [...r, ...Array(width - r.length).fill(config.padTokenId)]);
      const mask = rows.map((r) => [...Array(r.length).fill(1), ...Array(width - r.length).fill(0)]);
      const { logits } = await scorer.run({ input_ids: int64(ids), attention_mask: int64(mask) });
      const [right, wrong] = logits!.data as Float32Array;
      if (right! > wrong!) wins++;
    }
    expect(wins / problems.length).toBeGreaterThanOrEqual(0.75);
  });
});
