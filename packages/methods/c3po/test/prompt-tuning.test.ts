// The soft prompt tuning baseline on zoo:mini-moe: the inputs-embeds entry point cut from the MoE decoder at
// load time matches the original graph on real prompts in C3PO's left-padded batch and in DePT's right-padded
// rows; d loss / d P matches central finite differences; training lowers the reference loss; the same seed
// gives the same prompt; bad input is refused with what is wrong and what would be right.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOnnxBackend, Tensor } from '@attune/backend-onnx';
import {
  decodeModel,
  EXPECTED_DECODER_PATTERN,
  encodeModel,
  verifyDecoderEmbedsCut,
} from '@attune/backend-onnx/surgery';
import { decoderFeeds, deriveDecoderEmbeds, loadMoELM, type MoELM } from '@attune/models';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadReferences, loadTasks, type Reference, SoftPromptBaseline } from '../src/index.js';

const tasks = (name: string) => join(ZOO_MODELS_DIR, 'mini-moe', 'tasks', name);
const cacheDir = mkdtempSync(join(tmpdir(), 'attune-pt-'));
const previousCache = process.env.ATTUNE_CACHE_DIR;
let lm: MoELM;
let pt: SoftPromptBaseline;
let refs: Reference[];
let questions: string[];
beforeAll(async () => {
  process.env.ATTUNE_CACHE_DIR = cacheDir;
  lm = await loadMoELM('zoo:mini-moe', { threads: 1 });
  pt = await SoftPromptBaseline.load(lm, { steps: 30, batchSize: 16, promptTokens: 8 });
  refs = await loadReferences(tasks('sentiment.reference.jsonl'));
  questions = [
    ...(await loadTasks(tasks('sentiment.eval.jsonl'))).slice(0, 2),
    ...(await loadTasks(tasks('spam.eval.jsonl'))).slice(0, 2),
  ].map((t) => t.question);
});
afterAll(async () => {
  await pt?.dispose();
  await lm?.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
  if (previousCache === undefined) delete process.env.ATTUNE_CACHE_DIR;
  else process.env.ATTUNE_CACHE_DIR = previousCache;
});

describe('the inputs-embeds entry point cut from zoo:mini-moe', () => {
  it('was cut at load time, is cached, and gives the original logits on real prompts (C3PO left-padded, DePT right-padded, with an override)', async () => {
    expect(pt.lm.entryPoint).toEqual({ derived: true, maxAbsDiff: expect.any(Number) });
    expect(pt.lm.entryPoint.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    const backend = createOnnxBackend({ intraOpNumThreads: 1 });
    try {
      const decoder = lm.resolved.files.decoder!.path;
      const derived = await deriveDecoderEmbeds(decoder, backend, lm, () => {});
      expect(derived.cached).toBe(true);
      const prompts = questions.map((q) => lm.promptOf(q));
      const inputNames = Object.keys(lm.feeds(prompts).feeds);
      const override = { layers: [1, 2, 3, 4, 5], weights: new Float32Array(40).fill(0.125) };
      override.weights[3] = 0.9;
      const check = await verifyDecoderEmbedsCut(
        backend,
        { original: decoder, cut: derived.decoderEmbeds, tokenEmbedding: derived.tokenEmbedding },
        [
          lm.feeds(prompts).feeds, // exactly what C3PO runs: left-padded, no override
          lm.feeds(
            prompts,
            prompts.map(() => override),
          ).feeds,
          decoderFeeds(lm.config, lm.tokenizer, prompts, { padding: 'right', inputNames }),
        ],
        ['logits', 'router_probs', 'last_hidden_state'],
      );
      expect(check.prompts).toBe(12);
      expect(check.perOutput.logits).toBeLessThanOrEqual(1e-5);
      expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-5);
    } finally {
      await backend.dispose();
    }
  });

  it('answers with P = the init text as the original graph does on those tokens (routing: no override)', async () => {
    // P at step 0 is the init text's first L token embeddings: [P ; BOS + prompt] is then the original graph
    // on the ids [init ids ; BOS ; prompt ids], with routing_override_layers all 0 (the plain router).
    const initIds = pt.lm.tokenizer.encode(pt.initText, false);
    expect(initIds.length).toBeGreaterThanOrEqual(pt.promptTokens);
    const q = questions[0]!;
    const ids = [...initIds.slice(0, pt.promptTokens), ...lm.tokenizer.encode(lm.promptOf(q))];
    const n = ids.length;
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', BigInt64Array.from(ids, BigInt), [1, n]),
      attention_mask: new Tensor('int64', new BigInt64Array(n).fill(1n), [1, n]),
      position_ids: new Tensor(
        'int64',
        BigInt64Array.from(ids, (_, i) => BigInt(i)),
        [1, n],
      ),
      routing_override: new Tensor('float32', new Float32Array(48).fill(1 / 8), [1, 6, 8]),
      routing_override_layers: new Tensor('float32', new Float32Array(6), [6]),
    };
    for (let i = 0; i < 6; i++) {
      for (const kv of ['key', 'value']) {
        feeds[`past_key_values.${i}.${kv}`] = new Tensor('float32', new Float32Array(0), [1, 4, 0, 16]);
      }
    }
    const backend = createOnnxBackend({ intraOpNumThreads: 1 });
    try {
      const original = await backend.load(lm.resolved.files.decoder!.path);
      const logits = (await original.run(feeds, ['logits'])).logits!.data as Float32Array;
      const V = lm.config.vocabSize;
      const options = ['positive', 'negative'];
      const expected = lm.scoreFromLogits(logits.slice((n - 1) * V, n * V), options);
      const answer = await pt.answer(q, options, pt.initialPrompt());
      expect(answer.passes).toBe(1);
      expect(answer.choice).toBe(expected.choice);
      answer.logits.forEach((v, i) => {
        expect(Math.abs(v - expected.logits[i]!)).toBeLessThanOrEqual(1e-5);
      });
    } finally {
      await backend.dispose();
    }
  });
});

describe('SoftPromptBaseline on zoo:mini-moe', () => {
  it('d loss / d P matches central finite differences', async () => {
    const items = refs.slice(0, 2);
    const P = pt.initialPrompt();
    const { loss, gradient } = await pt.lossAndGradient(items, P);
    expect(Math.abs(loss - (await pt.referenceLoss(items, P)))).toBeLessThanOrEqual(1e-5);
    const fd = async (i: number, h: number) => {
      const plus = Float32Array.from(P);
      const minus = Float32Array.from(P);
      plus[i]! += h;
      minus[i]! -= h;
      return ((await pt.referenceLoss(items, plus)) - (await pt.referenceLoss(items, minus))) / (2 * h);
    };
    // The three largest |gradient| coordinates and two in the middle of P. The forward is float32 and top-2
    // routing is piecewise: ±h across an expert switch is not a derivative, so the closer of two step sizes counts.
    const order = [...gradient.keys()].sort((a, b) => Math.abs(gradient[b]!) - Math.abs(gradient[a]!));
    for (const i of [...order.slice(0, 3), 256, 300]) {
      const g = gradient[i]!;
      const error = Math.min(Math.abs((await fd(i, 1e-3)) - g), Math.abs((await fd(i, 3e-3)) - g));
      expect(error).toBeLessThanOrEqual(1e-3 + 0.03 * Math.abs(g));
    }
    expect(Math.abs(gradient[order[0]!]!)).toBeGreaterThan(1e-2);
  });

  it('training lowers the reference loss; the same seed gives the identical prompt, another seed another', async () => {
    const items = refs.slice(0, 48);
    const before = await pt.referenceLoss(items, pt.initialPrompt());
    const run = await pt.train(items);
    expect(run.steps).toBe(30);
    expect(run.losses).toHaveLength(30);
    expect(run.prompt).toHaveLength(8 * 64);
    const after = await pt.referenceLoss(items);
    expect(after).toBeLessThan(before * 0.9);

    const short = { steps: 4, batchSize: 8, promptTokens: 8 };
    const a = new SoftPromptBaseline(lm, pt.lm, { ...short, seed: 1 });
    const b = new SoftPromptBaseline(lm, pt.lm, { ...short, seed: 1 });
    const c = new SoftPromptBaseline(lm, pt.lm, { ...short, seed: 2 });
    const pa = (await a.train(items)).prompt;
    const pb = (await b.train(items)).prompt;
    const pc = (await c.train(items)).prompt;
    expect(Array.from(pa)).toEqual(Array.from(pb));
    expect(Array.from(pa)).not.toEqual(Array.from(pc));
    expect(Array.from(pa)).not.toEqual(Array.from(a.initialPrompt()));
  });

  it('refuses bad input, naming what is wrong and what would be right', async () => {
    const fresh = new SoftPromptBaseline(lm, pt.lm, { steps: 2 });
    await expect(fresh.train([])).rejects.toThrow(
      'the reference set is empty: prompt tuning trains on correctly answered references (question → answer); load them with loadReferences(<family>.reference.jsonl)',
    );
    await expect(fresh.answer('Is it?', ['yes', 'no'])).rejects.toThrow(
      'no soft prompt yet: call train(references) first, or pass a prompt',
    );
    await expect(fresh.answer('Is it?', ['yes', 'no'], new Float32Array(3))).rejects.toThrow(
      'the soft prompt has 3 values; expected L × d = 10 × 64 = 640',
    );
    const wrong = { ...refs[0]!, answer: 'maybe' };
    await expect(fresh.train([wrong])).rejects.toThrow(
      `reference ${refs[0]!.id}: answer "maybe" is not one of its options ["positive","negative"]`,
    );
    expect(() => new SoftPromptBaseline(lm, pt.lm, { promptTokens: 0 })).toThrow(
      'promptTokens must be a whole number >= 1, got 0',
    );
    expect(() => new SoftPromptBaseline(lm, pt.lm, { lr: -1 })).toThrow(
      'lr must be a finite number > 0, got -1',
    );
  });

  it('refuses to derive an entry point from an MoE graph whose token lookup is not a table Gather', async () => {
    // zoo:mini-moe with the embedding table turned into a graph input: no Gather(<initializer>, input_ids) left.
    const model = decodeModel(readFileSync(lm.resolved.files.decoder!.path));
    const graph = model.graph!;
    const gather = graph.node!.find((n) => n.opType === 'Gather' && n.input?.[1] === 'input_ids')!;
    gather.input![0] = 'table';
    graph.input!.push({ name: 'table', type: { tensorType: { elemType: 1 } } });
    const path = join(cacheDir, 'no-gather.onnx');
    writeFileSync(path, encodeModel(model));
    const backend = createOnnxBackend({ intraOpNumThreads: 1 });
    try {
      await expect(deriveDecoderEmbeds(path, backend, lm, () => {})).rejects.toThrow(
        `${path} has no inputs_embeds entry point and none can be cut from it: cannot cut an inputs_embeds entry point from the decoder: found 0 token-embedding lookups over input_ids (none); expected ${EXPECTED_DECODER_PATTERN}. Export one with packages/zoo/recipes/attune_recipes/gpt.py`,
      );
    } finally {
      await backend.dispose();
    }
  });
});
