import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClipModelConfig, resolveModel } from '../../src/index.js';
import { argmax, dot, loadTokenizer, normalisedRows, padIds, pixelValues, session } from './clip-runtime.js';
import { firstTestImages } from './idx.js';

/** Accuracy floors a CLIP zoo model's card must meet (full clean test sets, single template). */
export interface ClipTargets {
  readonly mnist: number;
  readonly fashion_mnist: number;
  /** Of the first 10 test images, how many the single template must get right. */
  readonly firstTenCorrect: { readonly mnist: number; readonly fashion_mnist: number };
}

/** The onnxruntime-node checks every CLIP zoo model passes: I/O, parity with torch, entry points, card. */
export async function describeClipModel(id: string, targets: ClipTargets): Promise<void> {
  const model = await resolveModel(id);
  const config = model.config as ClipModelConfig;
  const card = model.card!;
  const tokenizer = loadTokenizer(model);
  const vision = await session(model.files.visionModel!.path);
  const text = await session(model.files.textModel!.path);
  const textEmbeds = await session(model.files.textModelEmbeds!.path);
  const tokenEmbedding = await session(model.files.tokenEmbedding!.path);
  afterAll(async () => {
    for (const s of [vision, text, textEmbeds, tokenEmbedding]) await s.release();
  });

  const D = config.projectionDim;
  const L = config.contextLength;
  const padId = config.padTokenId!;

  function encode(texts: string[], length = L): ort.Tensor {
    return padIds(
      texts.map((t) => tokenizer.encode(t).ids),
      length,
      padId,
    );
  }

  async function textFeatures(texts: string[]): Promise<Float32Array[]> {
    const out = await text.run({ input_ids: encode(texts) });
    return normalisedRows(out.text_embeds!);
  }

  /** Mean of normalised template features per class, renormalised (CLIP's prompt ensemble). */
  async function classFeatures(
    classNames: readonly string[],
    templates: readonly string[],
  ): Promise<Float32Array[]> {
    const result: Float32Array[] = [];
    for (const name of classNames) {
      const rows = await textFeatures(templates.map((t) => t.replace('{}', name)));
      const mean = new Float32Array(D);
      for (const r of rows) {
        for (let i = 0; i < D; i++) mean[i]! += r[i]! / rows.length;
      }
      const norm = Math.hypot(...mean);
      result.push(mean.map((v) => v / norm));
    }
    return result;
  }

  function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
    expect(a.length).toBe(b.length);
    let m = 0;
    for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
    return m;
  }

  describe(`${id} graphs in onnxruntime-node`, () => {
    it('vision_model: pixel_values [N,3,28,28] -> image_embeds [N,D] for any batch size', async () => {
      const imgs = firstTestImages('mnist', 3);
      for (const n of [1, 3]) {
        const out = await vision.run({ pixel_values: pixelValues(imgs.pixels, n, config) });
        expect(out.image_embeds!.dims).toEqual([n, D]);
      }
    });

    it('text_model: input_ids [N,L] -> text_embeds [N,D]', async () => {
      const out = await text.run({ input_ids: encode(['a photo of a sneaker.', 'a handwritten seven.']) });
      expect(out.text_embeds!.dims).toEqual([2, D]);
    });

    it('reproduces the numbers torch computed in the recipe (to 1e-4)', async () => {
      const ref = card.reference_outputs as {
        mnist_test_0_image_embeds_first8: number[];
        caption: string;
        caption_text_embeds_first8: number[];
      };
      const img = await vision.run({
        pixel_values: pixelValues(firstTestImages('mnist', 1).pixels, 1, config),
      });
      const first8 = Array.from((img.image_embeds!.data as Float32Array).slice(0, 8));
      expect(maxAbsDiff(first8, ref.mnist_test_0_image_embeds_first8)).toBeLessThan(1e-4);
      const txt = await text.run({ input_ids: encode([ref.caption]) });
      const t8 = Array.from((txt.text_embeds!.data as Float32Array).slice(0, 8));
      expect(maxAbsDiff(t8, ref.caption_text_embeds_first8)).toBeLessThan(1e-4);
    });

    it('text_model(ids) equals text_model_embeds(token_embedding(ids), argmax(ids)) to 1e-5', async () => {
      const captions = [
        'a photo of a sneaker.',
        'a picture of a t-shirt/top, a type of clothing.',
        'art of the nine.',
      ];
      const ids = encode(captions);
      const direct = await text.run({ input_ids: ids });
      const emb = await tokenEmbedding.run({ input_ids: ids });
      expect(emb.inputs_embeds!.dims).toEqual([3, L, config.hiddenSize!]);
      const eot = captions.map((c) => tokenizer.encode(c).ids.length - 1);
      const viaEmbeds = await textEmbeds.run({
        inputs_embeds: emb.inputs_embeds!,
        eot_index: new ort.Tensor('int64', BigInt64Array.from(eot.map(BigInt)), [3]),
      });
      expect(
        maxAbsDiff(direct.text_embeds!.data as Float32Array, viaEmbeds.text_embeds!.data as Float32Array),
      ).toBeLessThan(1e-5);
    });

    it('accepts shorter sequences; padding after the end token does not change the embedding', async () => {
      const full = await text.run({ input_ids: encode(['a photo of a sneaker.']) });
      const short = await text.run({ input_ids: encode(['a photo of a sneaker.'], 8) });
      expect(
        maxAbsDiff(full.text_embeds!.data as Float32Array, short.text_embeds!.data as Float32Array),
      ).toBeLessThan(1e-5);
    });

    it('TPT-style prompt: context vectors from "a photo of a" reproduce the plain caption exactly', async () => {
      // [SOT] ctx(4) tokens("sneaker.") [EOT]: with ctx = embeddings of "a photo of a" this is the caption itself.
      const ids = encode(['a photo of a sneaker.']);
      const emb = (await tokenEmbedding.run({ input_ids: ids })).inputs_embeds!;
      const W = config.hiddenSize!;
      const data = Float32Array.from(emb.data as Float32Array);
      const ctxIds = tokenizer.encode('a photo of a', { add_special_tokens: false }).ids;
      const ctx = (await tokenEmbedding.run({ input_ids: padIds([ctxIds], 4, padId) })).inputs_embeds!;
      data.set(ctx.data as Float32Array, W); // positions 1..4
      const tuned = await textEmbeds.run({
        inputs_embeds: new ort.Tensor('float32', data, [1, L, W]),
        eot_index: new ort.Tensor('int64', BigInt64Array.from([7n]), [1]),
      });
      const plain = await text.run({ input_ids: ids });
      expect(
        maxAbsDiff(tuned.text_embeds!.data as Float32Array, plain.text_embeds!.data as Float32Array),
      ).toBeLessThan(1e-5);
      // And moving the context changes the embedding: the gradient entry point is live.
      data[W] = data[W]! + 1;
      const moved = await textEmbeds.run({
        inputs_embeds: new ort.Tensor('float32', data, [1, L, W]),
        eot_index: new ort.Tensor('int64', BigInt64Array.from([7n]), [1]),
      });
      expect(
        maxAbsDiff(moved.text_embeds!.data as Float32Array, plain.text_embeds!.data as Float32Array),
      ).toBeGreaterThan(1e-3);
    });

    describe.each(['mnist', 'fashion_mnist'] as const)('first 10 %s test images', (dataset) => {
      const refs = (card.reference_predictions as Record<string, Record<string, number[]>>)[dataset]!;

      it('are classified exactly as the recipe recorded (single template and 7-template ensemble)', async () => {
        const images = firstTestImages(dataset, 10);
        expect(images.labels).toEqual(refs.labels);
        const out = await vision.run({ pixel_values: pixelValues(images.pixels, 10, config) });
        const img = normalisedRows(out.image_embeds!);
        const names = config.classNames![dataset.replaceAll('_', '-')]!;
        const single = await classFeatures(names, [config.singleTemplate]);
        const ensemble = await classFeatures(names, config.ensembleTemplates!);
        const predSingle = img.map((v) => argmax(single.map((t) => dot(v, t))));
        const predEnsemble = img.map((v) => argmax(ensemble.map((t) => dot(v, t))));
        expect(predSingle).toEqual(refs.predicted_single_template);
        expect(predEnsemble).toEqual(refs.predicted_ensemble);
        // The model is good: most of these real images are classified correctly.
        const correct = predSingle.filter((p, i) => p === images.labels[i]).length;
        expect(correct).toBeGreaterThanOrEqual(targets.firstTenCorrect[dataset]);
      });
    });

    it(`records headline accuracies that meet the targets (MNIST >= ${targets.mnist}, Fashion-MNIST >= ${targets.fashion_mnist})`, () => {
      const m = card.metrics as Record<string, Record<string, number>>;
      expect(m.mnist!.single_template_top1).toBeGreaterThanOrEqual(targets.mnist);
      expect(m.fashion_mnist!.single_template_top1).toBeGreaterThanOrEqual(targets.fashion_mnist);
      for (const d of ['mnist', 'fashion_mnist']) {
        expect(m[d]!.ensemble_top1).toBeGreaterThan(0.5);
        // TPT's views (crops down to 8% of the image) are harder but still informative.
        expect(m[d]!.random_crop_view_top1).toBeGreaterThan(0.3);
        expect(m[d]!.random_crop_view_top1).toBeLessThan(m[d]!.single_template_top1!);
      }
      expect(config.logitScaleExp).toBeGreaterThan(1);
      expect(config.logitScaleExp).toBeLessThanOrEqual(100);
    });
  });
}
