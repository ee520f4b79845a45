// The zoo's mini-CLIP (trained on MNIST + Fashion-MNIST): numbers against its card (written by the torch
// recipe) and zero-shot accuracy on real MNIST digits.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { entropy, l2Normalize, tf } from '@attune/tensor';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { assemblePromptEmbeds } from '../src/prompt-parts.js';
import { maxRelativeError, norm2 } from './fixtures.js';
import { mnistTest } from './mnist.js';

// ATTUNE_MINI_CLIP_DIR points the suite at a retrained folder (e.g. `pnpm zoo:train mini-clip` output).
const MODEL_DIR = process.env.ATTUNE_MINI_CLIP_DIR ?? join(ZOO_MODELS_DIR, 'mini-clip');
const SOURCE = process.env.ATTUNE_MINI_CLIP_DIR ?? 'zoo:mini-clip';
const present =
  existsSync(join(MODEL_DIR, 'card.json')) && existsSync(join(MODEL_DIR, 'onnx', 'text_model_embeds.onnx'));
if (!present)
  console.warn(`[@attune/models] ${MODEL_DIR} has no trained mini-CLIP yet: its tests are skipped`);

interface Card {
  metrics: { mnist: { single_template_top1: number } };
  reference_predictions: {
    mnist: { labels: number[]; predicted_single_template: number[]; single_template_margin: number[] };
  };
  reference_outputs: {
    mnist_test_0_image_embeds_first8: number[];
    caption: string;
    caption_input_ids: number[];
    caption_text_embeds_first8: number[];
  };
}

describe.skipIf(!present)(SOURCE, () => {
  let model: ClipVisionLanguageModel;
  let card: Card;
  const mnist = mnistTest(200);
  beforeAll(async () => {
    card = JSON.parse(readFileSync(join(MODEL_DIR, 'card.json'), 'utf8')) as Card;
    model = await loadVisionLanguageModel(SOURCE, { threads: 2 });
  });
  afterAll(async () => {
    await model?.dispose();
  });

  async function logitsFor(count: number, templates: readonly string[]): Promise<tf.Tensor2D> {
    const classNames = model.config.classNames?.mnist;
    if (!classNames) throw new Error('mini-CLIP config.json has no class_names.mnist');
    const prototypes = await model.classPrototypes(classNames, templates);
    const pixels = tf.tidy(() =>
      tf.stack(mnist.images.slice(0, count).map((im) => model.preprocess(im))),
    ) as tf.Tensor4D;
    const features = await model.encodeImages(pixels);
    const logits = model.logits(features, prototypes);
    tf.dispose([pixels, features]);
    return logits;
  }

  it('image and text features match the recipe (torch)', async () => {
    const ref = card.reference_outputs;
    const pixels = tf.tidy(() => tf.expandDims(model.preprocess(mnist.images[0]!), 0)) as tf.Tensor4D;
    const image = await model.encodeImages(pixels);
    expect(maxRelativeError(image.dataSync().slice(0, 8), ref.mnist_test_0_image_embeds_first8)).toBeLessThan(
      1e-4,
    );
    const { ids, eotIndex } = model.tokenize([ref.caption]);
    expect(Array.from(ids.subarray(0, eotIndex[0]! + 1))).toEqual(ref.caption_input_ids);
    const text = await model.encodeTexts([ref.caption]);
    expect(maxRelativeError(text.dataSync().slice(0, 8), ref.caption_text_embeds_first8)).toBeLessThan(1e-4);
    tf.dispose([pixels, image, text]);
  });

  it('predicts the recipe predictions on the first 10 test digits', async () => {
    const logits = await logitsFor(10, [model.config.singleTemplate]);
    const predicted = Array.from(tf.tidy(() => tf.argMax(logits, 1)).dataSync());
    expect(predicted).toEqual(card.reference_predictions.mnist.predicted_single_template);
    logits.dispose();
  });

  it('zero-shot accuracy on the first 200 MNIST test digits is close to the card', async () => {
    const logits = await logitsFor(200, ['a photo of a {}.']);
    const predicted = Array.from(tf.tidy(() => tf.argMax(logits, 1)).dataSync());
    const accuracy = predicted.filter((p, i) => p === mnist.labels[i]).length / 200;
    console.log(
      `mini-CLIP zero-shot top-1, first 200 MNIST test digits: ${(accuracy * 100).toFixed(1)} % (card, 10k: ${(card.metrics.mnist.single_template_top1 * 100).toFixed(2)} %)`,
    );
    expect(accuracy).toBeGreaterThanOrEqual(0.9);
    expect(Math.abs(accuracy - card.metrics.mnist.single_template_top1)).toBeLessThan(0.05);
    logits.dispose();
  });

  it('the tfjs text encoder matches onnxruntime on class prompts, and its gradient matches finite differences', async () => {
    // Four classes keep the pure-JS cpu backend's three forward passes and one backward pass short.
    const parts = await model.promptParts(model.config.classNames!.mnist!.slice(0, 4), {
      initText: 'a photo of a',
    });
    const embeds = assemblePromptEmbeds(parts, parts.ctxInit);
    const viaTfjs = model.encodeTextEmbeds(embeds, parts.eotIndex);
    const viaOrt = await model.encodeTexts(parts.prompts);
    expect(maxRelativeError(viaTfjs.dataSync(), viaOrt.dataSync())).toBeLessThan(1e-4);

    const pixels = tf.tidy(() =>
      tf.stack(mnist.images.slice(0, 4).map((im) => model.preprocess(im))),
    ) as tf.Tensor4D;
    const image = await model.encodeImages(pixels);
    const img = l2Normalize(image);
    const loss = (ctx: tf.Tensor) =>
      tf.tidy(() => {
        const txt = l2Normalize(
          model.encodeTextEmbeds(assemblePromptEmbeds(parts, ctx as tf.Tensor2D), parts.eotIndex),
        );
        return tf.mean(
          entropy(tf.mul(tf.scalar(model.logitScale), tf.matMul(img, txt, false, true))),
        ) as tf.Scalar;
      });
    const grad = tf.grad(loss)(parts.ctxInit);
    const g = grad.dataSync();
    const norm = norm2(g);
    const direction = tf.div(grad, norm);
    const h = 1e-3;
    const at = (sign: number) =>
      tf.tidy(() => loss(tf.add(parts.ctxInit, tf.mul(direction, sign * h))).dataSync()[0]!);
    const numeric = (at(1) - at(-1)) / (2 * h);
    expect(Math.abs(numeric - norm) / norm).toBeLessThan(1e-2);
    tf.dispose([embeds, viaTfjs, viaOrt, pixels, image, img, grad, direction]);
    parts.dispose();
  });
});
