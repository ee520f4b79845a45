import { type CausalLMModelConfig, resolveModel } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Generation, loadCausalLM, type OnnxCausalLM } from '../src/index.js';
import { DecodeBatch } from '../src/kv-decoder.js';
import { argmax } from '../src/token-sampling.js';
import { heldoutPrompts, lmReference, maxAbsDiff, referenceLogProb } from './lm-helpers.js';

const reference = lmReference();
let lm: OnnxCausalLM;
let prompts: number[][];

beforeAll(async () => {
  lm = (await loadCausalLM('zoo:mini-lm', { threads: 1 })) as OnnxCausalLM;
  // Prefixes of different lengths, so batches are left-padded.
  prompts = [
    ...heldoutPrompts(3, lm.config.promptTemplate!).map((p) => lm.encode(p)),
    lm.encode('Call me Ishmael.'),
    lm.encode('The'),
  ];
});
afterAll(() => lm?.dispose());

/** Logits at the last position of a fresh, uncached forward over the whole sequence. */
async function fullForwardLastLogits(ids: readonly number[]): Promise<Float32Array> {
  const batch = new DecodeBatch(lm.session, lm.layout, 1);
  try {
    await batch.prefill([ids], lm.config.padTokenId);
    return batch.lastLogits(0).slice();
  } finally {
    batch.dispose();
  }
}

function expectSameGenerations(a: readonly Generation[], b: readonly Generation[], tolerance = 1e-4) {
  expect(a.map((g) => g.tokens)).toEqual(b.map((g) => g.tokens));
  expect(a.map((g) => g.stopReason)).toEqual(b.map((g) => g.stopReason));
  a.forEach((g, i) => {
    expect(maxAbsDiff(g.logProbs, b[i]!.logProbs), `row ${i}`).toBeLessThan(tolerance);
  });
}

describe('CausalLM on zoo:mini-lm: tokens and logits', () => {
  it("exposes config.json's sizes and token ids", async () => {
    const zoo = (await resolveModel('zoo:mini-lm')).config as CausalLMModelConfig;
    expect(lm.source).toBe('zoo:mini-lm');
    expect(lm.config).toEqual({
      vocabSize: zoo.vocabSize,
      hiddenSize: zoo.hiddenSize,
      numLayers: zoo.numLayers,
      numHeads: zoo.numHeads,
      numKvHeads: zoo.numKvHeads,
      headDim: zoo.headDim,
      contextLength: zoo.contextLength,
      bosTokenId: zoo.bosTokenId,
      eosTokenId: zoo.eosTokenId,
      padTokenId: zoo.padTokenId,
      numParameters: zoo.numParameters,
      promptTemplate: zoo.promptTemplate,
    });
    expect(lm.backendName).toBe('onnxruntime-node cpu (1 thread)');
  });

  it('encodes as the Python tokenizer did (BOS first) and decodes without special tokens', () => {
    for (const c of reference.tokenizer_cases) expect(lm.encode(c.text), c.text).toEqual(c.ids);
    expect(lm.encode(reference.prompt, { addBos: false })).toEqual(reference.prompt_ids.slice(1));
    expect(lm.decode(reference.greedy_ids)).toBe(reference.greedy_text);
    const text = 'Call me Ishmael.';
    expect(lm.decode(lm.encode(text))).toBe(text);
    expect(
      lm.decode([lm.config.bosTokenId, ...lm.encode(text, { addBos: false }), lm.config.eosTokenId]),
    ).toBe(text);
  });

  it("gives torch's logits at the last prompt position (1e-4)", async () => {
    const logits = await fullForwardLastLogits(reference.prompt_ids);
    const head = logits.subarray(0, reference.last_logits_head.length);
    expect(maxAbsDiff(head, reference.last_logits_head)).toBeLessThan(1e-4);
  });

  it("generates torch's greedy continuation", async () => {
    const [g] = await lm.generate([reference.prompt_ids], { maxNewTokens: 40, temperature: 0 });
    expect(g!.tokens).toEqual(reference.greedy_ids);
    expect(g!.stopReason).toBe(reference.greedy_ids.length < 40 ? 'stop' : 'length');
    expect(lm.decode(g!.tokens)).toBe(reference.greedy_text);
  });
});

describe('CausalLM: the key/value cache', () => {
  it('gives, at every cached step, the logits of a fresh uncached forward (left-padded rows, 1e-4)', async () => {
    const rows = [prompts[0]!, prompts[3]!, prompts[4]!];
    const batch = new DecodeBatch(lm.session, lm.layout, rows.length);
    const sequences = rows.map((r) => [...r]);
    let slots = [0, 1, 2];
    try {
      await batch.prefill(rows, lm.config.padTokenId);
      for (let step = 0; step < 10; step++) {
        const next: number[] = [];
        for (let j = 0; j < slots.length; j++) {
          const seq = sequences[slots[j]!]!;
          const cached = batch.lastLogits(j);
          const fresh = await fullForwardLastLogits(seq);
          expect(maxAbsDiff(cached, fresh), `step ${step}, row ${slots[j]}`).toBeLessThan(1e-4);
          const token = argmax(cached);
          seq.push(token);
          next.push(token);
        }
        if (step === 4) {
          // Drop the longest row: its cache rows are gathered out and shared padding is trimmed.
          batch.keepRows([1, 2]);
          slots = [1, 2];
          next.splice(0, 1);
          expect(batch.length).toBe(sequences[1]!.length - 1);
        }
        await batch.step(next);
      }
    } finally {
      batch.dispose();
    }
  });

  it('gives log-probs from generate that equal tokenLogProbs (full recomputation, T = 1)', async () => {
    const generations = await lm.generate(prompts, { maxNewTokens: 16, seed: 7, stopTokens: [] });
    for (const [i, g] of generations.entries()) {
      expect(g.tokens.length).toBeGreaterThan(0);
      const scored = await lm.tokenLogProbs(prompts[i]!, g.tokens);
      expect(maxAbsDiff(g.logProbs, scored), `row ${i}`).toBeLessThan(1e-4);
    }
  });

  it('gives temperature-scaled log-probs at T = 0.7, and T = 1 log-probs when greedy', async () => {
    const prefix = prompts[1]!;
    for (const temperature of [0.7, 0]) {
      const [g] = await lm.generate([prefix], { maxNewTokens: 6, temperature, seed: 3, stopTokens: [] });
      const seq = [...prefix];
      for (const [t, token] of g!.tokens.entries()) {
        const logits = await fullForwardLastLogits(seq);
        if (temperature === 0) expect(token).toBe(argmax(logits));
        const expected = referenceLogProb(logits, token, temperature === 0 ? 1 : temperature);
        expect(Math.abs(g!.logProbs[t]! - expected), `T ${temperature}, step ${t}`).toBeLessThan(1e-4);
        seq.push(token);
      }
    }
  });

  it('scores a continuation token by token: log p(c_t | prefix + c_<t)', async () => {
    const prefix = prompts[3]!;
    const continuation = lm.encode(' Some years ago', { addBos: false });
    const scores = await lm.tokenLogProbs(prefix, continuation);
    expect(scores).toHaveLength(continuation.length);
    const logits = await fullForwardLastLogits([...prefix, ...continuation.slice(0, 2)]);
    expect(Math.abs(scores[2]! - referenceLogProb(logits, continuation[2]!))).toBeLessThan(1e-5);
    for (const s of scores) expect(s).toBeLessThan(0);
    expect(await lm.tokenLogProbs(prefix, [])).toEqual([]);
  });
});

describe('CausalLM: batching and determinism', () => {
  it('gives each row of a left-padded batch what it gets alone (greedy and sampled)', async () => {
    for (const temperature of [0, 1]) {
      const options = { maxNewTokens: 20, temperature, seed: 11 };
      const batched = await lm.generate(prompts, options);
      // Alone: the same row index (its random stream), every other row a 1-token dummy in its own batch.
      const alone: Generation[] = [];
      for (let i = 0; i < prompts.length; i++) {
        const rows = prompts.map((p, k) => (k === i ? p : [lm.config.bosTokenId]));
        alone.push((await lm.generate(rows, { ...options, batchSize: 1 }))[i]!);
      }
      expectSameGenerations(batched, alone);
    }
  });

  it('gives the same samples for the same seed, whatever the batch size or the other rows', async () => {
    const options = { maxNewTokens: 24, temperature: 1, seed: 5 };
    const a = await lm.generate(prompts, options);
    const b = await lm.generate(prompts, options);
    expect(b).toEqual(a);
    expectSameGenerations(await lm.generate(prompts, { ...options, batchSize: 2 }), a);
    expectSameGenerations(await lm.generate(prompts, { ...options, batchSize: 1 }), a);
    const others = await lm.generate([prompts[0]!, prompts[4]!, prompts[4]!], options);
    expectSameGenerations([others[0]!], [a[0]!]);
    const reseeded = await lm.generate(prompts, { ...options, seed: 6 });
    expect(reseeded.map((g) => g.tokens)).not.toEqual(a.map((g) => g.tokens));
  });

  it('samples the first token with the frequencies softmax(logits / T) gives (T = 0.5 and 1)', async () => {
    const prefix = prompts[4]!;
    const logits = await fullForwardLastLogits(prefix);
    const n = 400;
    for (const temperature of [0.5, 1]) {
      const gens = await lm.generate(
        Array.from({ length: n }, () => prefix),
        { maxNewTokens: 1, temperature, seed: 1, stopTokens: [] },
      );
      const counts = new Map<number, number>();
      for (const g of gens) counts.set(g.tokens[0]!, (counts.get(g.tokens[0]!) ?? 0) + 1);
      // The most likely tokens: observed share within 4 standard errors of the model's probability.
      const top = [...counts.entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
      for (const [token, count] of top) {
        const p = Math.exp(referenceLogProb(logits, token, temperature));
        const se = Math.sqrt((p * (1 - p)) / n);
        expect(Math.abs(count / n - p), `T ${temperature}, token ${token}`).toBeLessThan(4 * se + 1e-9);
      }
      for (const g of gens) {
        expect(Math.abs(g.logProbs[0]! - referenceLogProb(logits, g.tokens[0]!, temperature))).toBeLessThan(
          1e-4,
        );
      }
    }
  });

  it('equals greedy at T = 0, and nearly so at a tiny temperature', async () => {
    const greedy = await lm.generate(prompts, { maxNewTokens: 12, temperature: 0 });
    const cold = await lm.generate(prompts, { maxNewTokens: 12, temperature: 1e-6, seed: 9 });
    expect(cold.map((g) => g.tokens)).toEqual(greedy.map((g) => g.tokens));
    for (const g of cold) for (const lp of g.logProbs) expect(lp).toBeGreaterThan(-1e-3);
  });
});

describe('CausalLM: where generation stops', () => {
  it('honours maxNewTokens exactly when no stop token is allowed', async () => {
    const gens = await lm.generate(prompts, { maxNewTokens: 7, stopTokens: [], seed: 2 });
    for (const g of gens) {
      expect(g.tokens).toHaveLength(7);
      expect(g.logProbs).toHaveLength(7);
      expect(g.stopReason).toBe('length');
    }
  });

  it('stops at a stop token and leaves it out', async () => {
    // The first greedy token that differs from every token before it: stopping on it cuts the run there.
    const greedy = reference.greedy_ids;
    const k = greedy.findIndex((t, i) => i > 0 && !greedy.slice(0, i).includes(t));
    expect(k).toBeGreaterThan(0);
    const [g] = await lm.generate([reference.prompt_ids], {
      maxNewTokens: 40,
      temperature: 0,
      stopTokens: [greedy[k]!],
    });
    expect(g!.tokens).toEqual(greedy.slice(0, k));
    expect(g!.logProbs).toHaveLength(k);
    expect(g!.stopReason).toBe('stop');
  });

  it('stops at the context end with stopReason "context", rows beside it going on', async () => {
    const ctx = lm.config.contextLength;
    const long = Array.from({ length: ctx - 3 }, (_, i) => (i === 0 ? lm.config.bosTokenId : 40 + (i % 50)));
    const edge = long.concat([41, 42]); // ctx - 1 tokens: room for exactly one
    const gens = await lm.generate([long, edge, prompts[4]!], { maxNewTokens: 10, stopTokens: [], seed: 4 });
    expect(gens.map((g) => [g.tokens.length, g.stopReason])).toEqual([
      [3, 'context'],
      [1, 'context'],
      [10, 'length'],
    ]);
  });

  it('reports progress as rows finish, ending at (rows, rows)', async () => {
    const calls: [number, number][] = [];
    await lm.generate(prompts, {
      maxNewTokens: 5,
      batchSize: 2,
      onProgress: (done, total) => calls.push([done, total]),
    });
    expect(calls.at(-1)).toEqual([prompts.length, prompts.length]);
    for (let i = 1; i < calls.length; i++) expect(calls[i]![0]).toBeGreaterThan(calls[i - 1]![0]);
  });

  it('returns nothing for no prefixes, and refuses calls after dispose', async () => {
    expect(await lm.generate([], { maxNewTokens: 3 })).toEqual([]);
    const other = await loadCausalLM('zoo:mini-lm', { threads: 1 });
    await other.dispose();
    await other.dispose();
    await expect(other.generate([[0]], { maxNewTokens: 1 })).rejects.toThrow(
      'the CausalLM for zoo:mini-lm was disposed; load it again',
    );
  });
});
