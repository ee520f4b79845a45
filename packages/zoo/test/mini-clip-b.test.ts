import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClipModelConfig, resolveModel } from '../src/index.js';
import { describeClipModel } from './helpers/clip-model-suite.js';
import { loadTokenizer, normalisedRows, padIds, session } from './helpers/clip-runtime.js';

// Everything mini-CLIP passes, with this model's own accuracy floors.
await describeClipModel('zoo:mini-clip-b', {
  mnist: 0.9,
  fashion_mnist: 0.75,
  firstTenCorrect: { mnist: 8, fashion_mnist: 6 },
});

// What makes it CLIP's regime: the card's figures, and the text tower's sensitivity to its context checked
// on the committed graphs.
const model = await resolveModel('zoo:mini-clip-b');
const config = model.config as ClipModelConfig;
// biome-ignore lint/suspicious/noExplicitAny: card.json is free-form JSON; each test names the fields it reads
const card = model.card as Record<string, any>;
const raw = JSON.parse(readFileSync(join(model.dir, 'config.json'), 'utf8'));
const tokenizer = loadTokenizer(model);
const tokenEmbedding = await session(model.files.tokenEmbedding!.path);
const textEmbeds = await session(model.files.textModelEmbeds!.path);
afterAll(async () => {
  for (const s of [tokenEmbedding, textEmbeds]) await s.release();
});
const W = config.hiddenSize!;
const L = config.contextLength;

/** Token embeddings [n,L,W] of captions, as a flat copy. */
async function embed(texts: string[]): Promise<Float32Array> {
  const ids = padIds(
    texts.map((t) => tokenizer.encode(t).ids),
    L,
    config.padTokenId!,
  );
  const out = await tokenEmbedding.run({ input_ids: ids });
  return Float32Array.from(out.inputs_embeds!.data as Float32Array);
}

async function features(embeds: Float32Array, eot: number[]): Promise<Float32Array[]> {
  const out = await textEmbeds.run({
    inputs_embeds: new ort.Tensor('float32', embeds, [eot.length, L, W]),
    eot_index: new ort.Tensor('int64', BigInt64Array.from(eot.map(BigInt)), [eot.length]),
  });
  return normalisedRows(out.text_embeds!);
}

const cosine = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i]!, 0);

describe('zoo:mini-clip-b is parametrised as CLIP is', () => {
  it('was initialised as CLIP: logit scale 1/0.07 clamped at 100, token embeddings std 0.02', () => {
    expect(card.initialisation.logit_scale_exp).toBeCloseTo(1 / 0.07, 4);
    expect(card.initialisation.logit_scale_clamp).toBe(100);
    expect(card.initialisation.token_embedding_std).toBe(0.02);
    expect(card.initialisation.token_embedding_rms).toBeCloseTo(0.02, 2);
  });

  it('learned its logit scale upwards from the init, within the clamp; the card and config agree', () => {
    expect(config.logitScaleExp).toBeGreaterThan(card.initialisation.logit_scale_exp);
    expect(config.logitScaleExp).toBeLessThanOrEqual(100);
    // Measured 46.0 (the attribute-caption model before it: 41.0; class-only captions: 25.0; run 4, not adopted:
    // 52.8 with larger margins and fewer TTA changes); CLIP's target
    // of >= 50 is not met (README).
    expect(config.logitScaleExp).toBeGreaterThan(44);
    expect(card.metrics.logit_scale_exp).toBeCloseTo(config.logitScaleExp, 3);
    const curve = card.training_curve as { logit_scale_exp: number }[];
    expect(curve.at(-1)!.logit_scale_exp).toBeCloseTo(config.logitScaleExp, 1);
  });

  it("keeps its token embeddings at CLIP's scale: the committed rms matches the card, and TPT's 5e-3 step is > 10 % of it", async () => {
    const vocab = Array.from({ length: raw.text_config.vocab_size as number }, (_, i) => i);
    const out = await tokenEmbedding.run({
      input_ids: new ort.Tensor('int64', BigInt64Array.from(vocab.map(BigInt)), [1, vocab.length]),
    });
    const values = out.inputs_embeds!.data as Float32Array;
    const rms = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(rms).toBeCloseTo(card.metrics.token_embedding_rms, 4);
    expect(5e-3 / rms).toBeGreaterThan(0.1);
  });

  it('has a 4-layer text tower whose EOT feature moves with the 4 context vectors, most with attribute and style words', async () => {
    expect(raw.text_config.num_hidden_layers).toBeGreaterThanOrEqual(4);
    // The same class with two 4-word contexts, and with a TPT-sized nudge of the context: the feature moves.
    const [a, b] = ['a photo of a sneaker.', 'a drawing of the sneaker.'];
    const base = await embed([a!]);
    const other = await embed([b!]);
    const eot = [tokenizer.encode(a!).ids.length - 1];
    expect(tokenizer.encode(b!).ids.length - 1).toBe(eot[0]);
    const [fa] = await features(base, eot);
    const [fb] = await features(other, eot);
    const nudged = Float32Array.from(base);
    for (let i = W; i < 5 * W; i++) nudged[i] = nudged[i]! + 5e-3 * (i % 2 === 0 ? 1 : -1);
    const [fn] = await features(nudged, eot);
    // Measured 2.3e-4 (the class-only-caption model: 7e-6): words that name no attribute or style still
    // matter little.
    expect(1 - cosine(fa!, fb!)).toBeGreaterThan(3e-5);
    expect(1 - cosine(fa!, fn!)).toBeGreaterThan(0);
    // An attribute word in the context moves it a lot (measured 0.19 for the sneaker): the tower reads those
    // positions.
    /** 1 − cos of two same-length prompts' EOT features (read at the first prompt's EOT position). */
    const moved = async (first: string, second: string) => {
      const eotAt = [tokenizer.encode(first).ids.length - 1];
      const [f1] = await features(await embed([first]), eotAt);
      const [f2] = await features(await embed([second]), eotAt);
      return 1 - cosine(f1!, f2!);
    };
    expect(await moved('a bright photo of a sneaker.', 'a dim photo of a sneaker.')).toBeGreaterThan(0.05);
    expect(card.metrics.context_1_minus_cos.attribute.mean).toBeGreaterThan(0.05);
    // So does a style noun in the context span ("photo" -> "outline"; card mean 0.19).
    expect(tokenizer.encode('a outline of a sneaker.').ids.length).toBe(
      tokenizer.encode('a photo of a sneaker.').ids.length,
    );
    expect(await moved('a photo of a sneaker.', 'a outline of a sneaker.')).toBeGreaterThan(0.05);
    expect(card.metrics.context_1_minus_cos.style.mean).toBeGreaterThan(0.05);
  });

  it('reads the caption attributes it was trained with (each well above chance on rendered test images)', () => {
    const probe = card.metrics.attribute_probe as Record<
      string,
      { top1: number; chance: number; images: number }
    >;
    expect(Object.keys(probe).sort()).toEqual(['ink', 'mark', 'page', 'style', 'tilt']);
    for (const p of Object.values(probe)) {
      expect(p.images).toBe(1000);
      expect(p.top1).toBeGreaterThan(p.chance + 0.3);
    }
  });

  it("records STS's Gavish–Donoho rank on every suite, k > 1 on the 20-class ones (measured 8; 10-class: 1 and 3)", () => {
    const ranks = card.metrics.sts_rank.results as { suite: string; class_count: number; k: number }[];
    for (const suite of ['mini-clip-corrupt-short', 'mini-clip-corrupt-full', 'shift-short', 'shift-full']) {
      expect(ranks.some((r) => r.suite === suite)).toBe(true);
    }
    for (const r of ranks) {
      expect(Number.isInteger(r.k)).toBe(true);
      expect(r.k).toBeGreaterThanOrEqual(1);
      expect(r.k).toBeLessThanOrEqual(r.class_count);
      if (r.class_count === 20) expect(r.k).toBeGreaterThan(1);
    }
  });

  it('records the mean top-1 logit margin and the one-step context probe', () => {
    for (const v of Object.values(card.metrics.mean_top1_logit_margin as Record<string, number>)) {
      expect(v).toBeGreaterThan(0);
    }
    for (const probe of [card.metrics.context_step, card.metrics.context_step_styled_train]) {
      expect(probe.images).toBe(200);
      expect(probe.predictions_changed_by_one_step).toBeGreaterThanOrEqual(0);
      expect(probe.predictions_changed_by_one_step).toBeLessThanOrEqual(1);
    }
  });
});
