import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMoELM, type MoELM } from '../src/index.js';

interface RefRow {
  question: string;
  answer: string;
  options: string[];
  correct: boolean;
  pathway: number[];
  embedding: number[];
}
const refs = (family: string): RefRow[] =>
  readFileSync(join(ZOO_MODELS_DIR, 'mini-moe', 'tasks', `${family}.reference.jsonl`), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

let lm: MoELM;
beforeAll(async () => {
  lm = await loadMoELM('zoo:mini-moe', { threads: 1 });
});
afterAll(() => lm?.dispose());

describe('MoELM on zoo:mini-moe', () => {
  it('reads the routing shape from config.json', () => {
    expect(lm.numLayers).toBe(6);
    expect(lm.numExperts).toBe(8);
    expect(lm.topK).toBe(2);
    expect(lm.config.normTopkProb).toBe(false);
  });

  it("gives the recipe's pathways and embeddings (torch, 1e-4) and its correct/incorrect verdicts", async () => {
    for (const family of ['sentiment', 'parity', 'spam']) {
      const rows = refs(family).slice(0, 6);
      const routed = await lm.route(rows.map((r) => lm.promptOf(r.question)));
      rows.forEach((r, i) => {
        const got = routed[i]!;
        for (const [j, v] of r.pathway.entries()) {
          expect(Math.abs(got.pathway[j]! - v), `${family} ${i} pathway ${j}`).toBeLessThan(1e-4);
        }
        for (const [j, v] of r.embedding.entries()) {
          expect(Math.abs(got.embedding[j]! - v), `${family} ${i} embedding ${j}`).toBeLessThan(1e-4);
        }
        expect(lm.scoreFromLogits(got.lastLogits, r.options).choice === r.answer).toBe(r.correct);
      });
    }
  });

  it('replaces the routing of the chosen layers at the last prompt token, renormalised, and leaves the others', async () => {
    const q = lm.promptOf(refs('gender')[0]!.question);
    const weights = new Float32Array(2 * 8);
    weights.set([4, 0, 0, 0, 0, 0, 0, 4], 0); // layer 4: experts 0 and 7 half each
    weights.set([0, 0, 1, 1, 0, 0, 0, 0], 8); // layer 5: experts 2 and 3
    const [plain, over] = await lm.route([q, q], [undefined, { layers: [4, 5], weights }]);
    for (let l = 0; l < 4; l++) {
      for (let e = 0; e < 8; e++)
        expect(over!.routingWeights[l * 8 + e]).toBeCloseTo(plain!.pathway[l * 8 + e]!, 5);
    }
    expect(over!.routingWeights[4 * 8]).toBeCloseTo(0.5, 6);
    expect(over!.routingWeights[4 * 8 + 7]).toBeCloseTo(0.5, 6);
    expect(over!.routingWeights[5 * 8 + 2]).toBeCloseTo(0.5, 6);
    // the router itself still reports its own softmax; the logits move
    expect(Array.from(over!.pathway.subarray(0, 32))).toEqual(Array.from(plain!.pathway.subarray(0, 32)));
    const diff = plain!.lastLogits.reduce((m, v, i) => Math.max(m, Math.abs(v - over!.lastLogits[i]!)), 0);
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('rejects NaN, negative, mis-sized and out-of-range overrides, naming the problem', async () => {
    const q = lm.promptOf('Is 3 + 4 even or odd?');
    const nan = new Float32Array(8).fill(0.125);
    nan[3] = Number.NaN;
    await expect(lm.route([q], [{ layers: [5], weights: nan }])).rejects.toThrow(
      /weight 3 of layer 5 is NaN/,
    );
    await expect(lm.route([q], [{ layers: [5], weights: new Float32Array(7) }])).rejects.toThrow(
      /expected 1 layers × 8 experts = 8 weights, got 7/,
    );
    await expect(lm.route([q], [{ layers: [6], weights: new Float32Array(8) }])).rejects.toThrow(
      /layer 6 is not a layer index/,
    );
    expect(() => lm.optionTokens(['yes'])).toThrow(/at least 2/);
  });

  it('refuses a decoder without routing outputs (zoo:mini-lm)', async () => {
    await expect(loadMoELM('zoo:mini-lm')).rejects.toThrow(
      /is a causal-lm model; expected an MoE LM with routing outputs/,
    );
  });
});
