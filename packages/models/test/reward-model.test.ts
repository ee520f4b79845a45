import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadRewardModel, type OnnxRewardModel } from '../src/index.js';
import { rewardPairs } from './lm-helpers.js';

const pairs = rewardPairs();
let rm: OnnxRewardModel;

beforeAll(async () => {
  rm = (await loadRewardModel('zoo:mini-rm', { threads: 1 })) as OnnxRewardModel;
});
afterAll(() => rm?.dispose());

describe('RewardModel on zoo:mini-rm', () => {
  it("exposes config.json's context length and token ids", () => {
    expect(rm.source).toBe('zoo:mini-rm');
    expect(rm.config).toEqual({
      contextLength: 256,
      numParameters: 1088385,
      bosTokenId: 0,
      eosTokenId: 0,
      padTokenId: 1,
    });
  });

  it("feeds BOS + tokens(prompt + completion) + EOS, the recipe's ids", () => {
    for (const p of pairs) expect(rm.encodePair(p.prompt, p.completion)).toEqual(p.ids);
  });

  it('scores the reference pairs as torch did (1e-4)', async () => {
    const scores = await rm.score(pairs);
    expect(scores).toHaveLength(pairs.length);
    pairs.forEach((p, i) => {
      expect(Math.abs(scores[i]! - p.score), `pair ${i}`).toBeLessThan(1e-4);
    });
  });

  it('gives the same score to a pair alone as in a right-padded batch, in the order given', async () => {
    // Reversed, plus a short pair, so rows of different lengths share a batch.
    const mixed = [...pairs].reverse().concat([{ ...pairs[0]!, completion: ' 7. The answer is 7.' }]);
    const batched = await rm.score(mixed, { batchSize: 64 });
    const single = await rm.score(mixed, { batchSize: 1 });
    const pairsOfTwo = await rm.score(mixed, { batchSize: 2 });
    for (let i = 0; i < mixed.length; i++) {
      expect(Math.abs(batched[i]! - single[i]!), `pair ${i}`).toBeLessThan(1e-5);
      expect(Math.abs(pairsOfTwo[i]! - single[i]!), `pair ${i}`).toBeLessThan(1e-5);
    }
    expect(Math.abs(batched[0]! - pairs.at(-1)!.score)).toBeLessThan(1e-4);
    expect(await rm.score([])).toEqual([]);
  });
});
