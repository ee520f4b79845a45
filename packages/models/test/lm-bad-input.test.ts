import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CausalLM, loadCausalLM, loadRewardModel, type RewardModel } from '../src/index.js';

let lm: CausalLM;
let rm: RewardModel;
beforeAll(async () => {
  [lm, rm] = await Promise.all([
    loadCausalLM('zoo:mini-lm', { threads: 1 }),
    loadRewardModel('zoo:mini-rm', { threads: 1 }),
  ]);
});
afterAll(async () => {
  await Promise.all([lm?.dispose(), rm?.dispose()]);
});

const ok = [0, 389, 60];

describe('CausalLM.generate refuses bad input with errors that say what would be right', () => {
  it('a prefix as long as the context, or longer', async () => {
    const full = Array<number>(256).fill(50);
    await expect(lm.generate([ok, full], { maxNewTokens: 1 })).rejects.toThrow(
      "prefixes[1] has 256 tokens but zoo:mini-lm's context length is 256: a prefix may hold at most 255 tokens " +
        'so that one new token fits; shorten the prompt (e.g. keep its last 255 tokens) or use a model with a longer context',
    );
    await expect(lm.generate([full.concat([1, 2])], { maxNewTokens: 1 })).rejects.toThrow(
      /prefixes\[0\] has 258 tokens but zoo:mini-lm's context length is 256/,
    );
  });

  it('an empty prefix', async () => {
    await expect(lm.generate([ok, []], { maxNewTokens: 1 })).rejects.toThrow(
      'prefixes[1] is empty; a prefix needs at least one token (start it with the BOS token: lm.encode(text) does)',
    );
  });

  it('token ids outside the vocabulary, or not integers', async () => {
    await expect(lm.generate([[0, 2048]], { maxNewTokens: 1 })).rejects.toThrow(
      'prefixes[0][1] = 2048 is not a token id of zoo:mini-lm: expected an integer in [0, 2048)',
    );
    await expect(lm.generate([ok, [0, -1]], { maxNewTokens: 1 })).rejects.toThrow(
      /prefixes\[1\]\[1\] = -1 is not/,
    );
    await expect(lm.generate([[0, 1.5]], { maxNewTokens: 1 })).rejects.toThrow(
      /prefixes\[0\]\[1\] = 1.5 is not/,
    );
    await expect(lm.generate([ok], { maxNewTokens: 1, stopTokens: [5000] })).rejects.toThrow(
      'stopTokens[0] = 5000 is not a token id of zoo:mini-lm: expected an integer in [0, 2048)',
    );
    expect(() => lm.decode([0, 9999])).toThrow('decode[1] = 9999 is not a token id of zoo:mini-lm');
  });

  it('maxNewTokens below 1 or not an integer', async () => {
    for (const maxNewTokens of [0, -3, 2.5, Number.NaN]) {
      await expect(lm.generate([ok], { maxNewTokens })).rejects.toThrow(
        `maxNewTokens: expected an integer >= 1, got ${maxNewTokens}`,
      );
    }
  });

  it('a negative, NaN or infinite temperature', async () => {
    for (const temperature of [-0.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(lm.generate([ok], { maxNewTokens: 1, temperature })).rejects.toThrow(
        `temperature: expected a finite number >= 0 (0 = greedy, 1 = the model's distribution), got ${temperature}`,
      );
    }
  });

  it('a batch size below 1 and a seed that is not a safe integer', async () => {
    await expect(lm.generate([ok], { maxNewTokens: 1, batchSize: 0 })).rejects.toThrow(
      'batchSize: expected an integer >= 1 (rows per onnxruntime call), got 0',
    );
    await expect(lm.generate([ok], { maxNewTokens: 1, seed: 0.5 })).rejects.toThrow(
      'seed: expected a safe integer, got 0.5',
    );
  });

  it('prefixes or options of the wrong type', async () => {
    await expect(lm.generate('0 1 2' as never, { maxNewTokens: 1 })).rejects.toThrow(
      'generate: expected an array of prefixes (token id arrays), got string',
    );
    await expect(lm.generate([ok], undefined as never)).rejects.toThrow(
      /generate: expected options \{ maxNewTokens/,
    );
  });
});

describe('CausalLM.tokenLogProbs refuses bad input', () => {
  it('an empty prefix, ids out of range, or more than the context', async () => {
    await expect(lm.tokenLogProbs([], [5])).rejects.toThrow(
      /^prefix is empty; the first token has no distribution/,
    );
    await expect(lm.tokenLogProbs(ok, [2048])).rejects.toThrow(
      'continuation[0] = 2048 is not a token id of zoo:mini-lm',
    );
    await expect(lm.tokenLogProbs(Array(200).fill(5), Array(57).fill(5))).rejects.toThrow(
      "prefix + continuation is 257 tokens (200 + 57) but zoo:mini-lm's context length is 256; shorten the prefix or score the continuation in parts",
    );
  });
});

describe('RewardModel.score refuses bad input', () => {
  it('a pair that does not fit the context (no silent truncation)', async () => {
    const long = ' 1 +'.repeat(100);
    await expect(rm.score([{ prompt: 'Question: x\nAnswer:', completion: long }])).rejects.toThrow(
      /^pairs\[0\] is \d+ tokens as BOS \+ prompt \+ completion \+ EOS but zoo:mini-rm's context length is 256; shorten the completion \(or the prompt\) by \d+ tokens$/,
    );
  });

  it('pairs without string prompt and completion, and a bad batch size', async () => {
    await expect(rm.score([{ prompt: 'a', completion: 3 } as never])).rejects.toThrow(
      'pairs[0]: expected { prompt: string, completion: string }',
    );
    await expect(rm.score([{ prompt: 'a', completion: 'b' }], { batchSize: -1 })).rejects.toThrow(
      'batchSize: expected an integer >= 1',
    );
  });
});

describe('loading the wrong kind of model', () => {
  it('names the kind it found and the kind it expected', async () => {
    await expect(loadCausalLM('zoo:mini-rm')).rejects.toThrow(
      /^zoo:mini-rm is a reward-model model; expected a causal LM folder/,
    );
    await expect(loadRewardModel('zoo:mini-clip')).rejects.toThrow(
      /^zoo:mini-clip is a clip model; expected a reward model folder/,
    );
    await expect(loadCausalLM('zoo:mini-lmm')).rejects.toThrow(/unknown zoo model "zoo:mini-lmm"/);
  });
});
