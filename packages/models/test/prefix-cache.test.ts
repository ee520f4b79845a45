// Continuing a kept prefix from the key/value cache of an earlier generation (QAlign's suffix proposal):
// the same tokens and log-probabilities as recomputing the whole prefix, with only one token fed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Generation, loadCausalLM, type OnnxCausalLM } from '../src/index.js';
import { heldoutPrompts, maxAbsDiff } from './lm-helpers.js';

let lm: OnnxCausalLM;
let prompts: number[][];

beforeAll(async () => {
  lm = (await loadCausalLM('zoo:mini-lm', { threads: 1 })) as OnnxCausalLM;
  // Different lengths, so both the first generation and the cached continuation are left-padded.
  prompts = heldoutPrompts(4, lm.config.promptTemplate!).map((p) => lm.encode(p));
});
afterAll(() => lm?.dispose());

function expectSame(a: readonly Generation[], b: readonly Generation[]) {
  expect(a.map((g) => g.tokens)).toEqual(b.map((g) => g.tokens));
  expect(a.map((g) => g.stopReason)).toEqual(b.map((g) => g.stopReason));
  a.forEach((g, i) => {
    expect(maxAbsDiff(g.logProbs, b[i]!.logProbs), `row ${i}`).toBeLessThan(1e-4);
  });
}

describe('generate with prefix caches', () => {
  it('returns a cache of prefix + every new token but the last, shaped [heads, length, headDim] per block', async () => {
    const gens = await lm.generate(prompts, { maxNewTokens: 48, seed: 3, returnCaches: true });
    gens.forEach((g, k) => {
      const fed = prompts[k]!.length + g.tokens.length - (g.stopReason === 'stop' ? 0 : 1);
      expect(g.cache!.length).toBe(fed);
      expect(g.cache!.blocks).toHaveLength(2 * lm.config.numLayers);
      for (const b of g.cache!.blocks) expect(b.length).toBe(lm.config.numKvHeads * fed * lm.config.headDim);
    });
    const plain = await lm.generate(prompts, { maxNewTokens: 48, seed: 3 });
    expect(plain.every((g) => g.cache === undefined)).toBe(true);
    expectSame(gens, plain);
  });

  it('continues cut prefixes exactly as a full recomputation does (greedy and sampled)', async () => {
    const first = await lm.generate(prompts, { maxNewTokens: 48, seed: 5, returnCaches: true });
    // Cut each output at a different index, including 0 (the prompt alone: the cache covers it too).
    const cuts = first.map((g, k) => [0, 1, Math.floor(g.tokens.length / 2), g.tokens.length - 1][k]!);
    const prefixes = first.map((g, k) => [...prompts[k]!, ...g.tokens.slice(0, cuts[k])]);
    for (const temperature of [0, 1]) {
      const options = { maxNewTokens: 40, temperature, seed: 11 };
      const cached = await lm.generate(prefixes, {
        ...options,
        prefixCaches: first.map((g) => g.cache!),
        returnCaches: true,
      });
      const recomputed = await lm.generate(prefixes, options);
      expectSame(cached, recomputed);
      // The continuation's cache chains on: it covers the kept prefix and the new tokens.
      cached.forEach((g, k) => {
        expect(g.cache!.length).toBe(
          prefixes[k]!.length + g.tokens.length - (g.stopReason === 'stop' ? 0 : 1),
        );
      });
    }
  });

  it('reads the cache rather than the prefix: a zeroed cache changes the continuation', async () => {
    const first = await lm.generate(prompts, { maxNewTokens: 16, seed: 1, returnCaches: true });
    const prefixes = first.map((g, k) => [...prompts[k]!, ...g.tokens.slice(0, 4)]);
    const zeroed = first.map((g) => ({
      length: g.cache!.length,
      blocks: g.cache!.blocks.map((b) => new Float32Array(b.length)),
    }));
    const options = { maxNewTokens: 8, temperature: 0 };
    const fromZeros = await lm.generate(prefixes, { ...options, prefixCaches: zeroed });
    const recomputed = await lm.generate(prefixes, options);
    expect(fromZeros.map((g) => g.tokens)).not.toEqual(recomputed.map((g) => g.tokens));
  });

  it('refuses a cache too short for its prefix, a wrong count, or a mix', async () => {
    const [g] = await lm.generate([prompts[0]!], { maxNewTokens: 4, seed: 0, returnCaches: true });
    const tooLong = [...prompts[0]!, ...g!.tokens, 7, 7];
    await expect(lm.generate([tooLong], { maxNewTokens: 2, prefixCaches: [g!.cache!] })).rejects.toThrow(
      /prefixCaches\[0\] holds \d+ tokens but prefixes\[0\] needs its first \d+/,
    );
    await expect(
      lm.generate([prompts[0]!, prompts[1]!], { maxNewTokens: 2, prefixCaches: [g!.cache!] }),
    ).rejects.toThrow(/one cache per prefix \(2\), got 1/);
    const bad = { length: g!.cache!.length, blocks: g!.cache!.blocks.slice(1) };
    await expect(lm.generate([prompts[0]!], { maxNewTokens: 2, prefixCaches: [bad] })).rejects.toThrow(
      /expected a cache returned by generate/,
    );
  });
});
