// TPT's prompt layout and the gradient through the tfjs text encoder, against TPT's own PromptLearner code
// run in torch (scripts/make_fixtures.py) and against central finite differences.
import { entropy, l2Normalize, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { assemblePromptEmbeds, type PromptParts } from '../src/prompt-parts.js';
import { maxAbsError, maxRelativeError, norm2, readFixture, TINY_CLIP } from './fixtures.js';

interface TptReference {
  class_names: string[];
  init_text: string;
  prompts: string[];
  n_ctx: number;
  token_ids: number[];
  eot_index: number[];
  ctx_init: number[];
  prefix_shape: number[];
  suffix_shape: number[];
  suffix: number[];
  ctx: number[];
  text_features: number[];
  image_features: number[];
  loss: number;
  ctx_grad: number[];
}
const ref = readFixture<{ tpt: TptReference }>('tiny-clip-reference.json').tpt;

let model: ClipVisionLanguageModel;
let parts: PromptParts;
beforeAll(async () => {
  model = await loadVisionLanguageModel(TINY_CLIP, { threads: 1 });
  // TPT's own layout at the full context length, as the reference built it (the cut is test/padding.test.ts).
  parts = await model.promptParts(ref.class_names, { initText: ref.init_text, padding: 'full' });
});
afterAll(async () => {
  parts.dispose();
  await model.dispose();
});

/** The loss the fixture differentiated in torch: mean entropy of softmax(scale * img @ normalize(txt)^T). */
function lossOf(ctx: tf.Tensor2D, imageFeatures: tf.Tensor2D): tf.Scalar {
  const features = model.encodeTextEmbeds(assemblePromptEmbeds(parts, ctx), parts.eotIndex);
  const logits = tf.mul(
    tf.scalar(model.logitScale),
    tf.matMul(imageFeatures, l2Normalize(features), false, true),
  );
  return tf.mean(entropy(logits)) as tf.Scalar;
}

describe('promptParts: TPT PromptLearner layout', () => {
  it('builds the prompts, ids and EOT positions TPT builds', () => {
    expect(parts.classNames).toEqual(['zero', 'one', 'two', 't shirt']);
    expect(parts.prompts).toEqual(ref.prompts);
    expect(parts.nCtx).toBe(ref.n_ctx);
    expect(Array.from(parts.tokenIds)).toEqual(ref.token_ids);
    expect(Array.from(parts.eotPositions)).toEqual(ref.eot_index);
    expect(Array.from(parts.eotIndex.dataSync())).toEqual(ref.eot_index);
  });

  it('slices prefix [C,1,W] and suffix [C,L-1-n,W] and initialises ctx from the init text', () => {
    expect(parts.prefix.shape).toEqual(ref.prefix_shape);
    expect(parts.suffix.shape).toEqual(ref.suffix_shape);
    expect(parts.ctxInit.shape).toEqual([ref.n_ctx, 32]);
    expect(maxAbsError(parts.ctxInit.dataSync(), ref.ctx_init)).toBeLessThan(1e-6);
    expect(maxAbsError(parts.suffix.dataSync(), ref.suffix)).toBeLessThan(1e-6);
  });

  it('assembled with ctxInit, gives the features of the plain prompts', async () => {
    const embeds = assemblePromptEmbeds(parts, parts.ctxInit);
    const viaParts = model.encodeTextEmbeds(embeds, parts.eotIndex);
    const direct = await model.encodeTexts(parts.prompts);
    expect(maxRelativeError(viaParts.dataSync(), direct.dataSync())).toBeLessThan(1e-4);
    for (const t of [embeds, viaParts, direct]) t.dispose();
  });

  it('random init: "X" placeholders, N(0, 0.02) context, seeded', async () => {
    const a = await model.promptParts(['one', 'two'], { nCtx: 3, seed: 5, padding: 'full' });
    const b = await model.promptParts(['one', 'two'], { nCtx: 3, seed: 5, padding: 'full' });
    const c = await model.promptParts(['one', 'two'], { nCtx: 3, seed: 6, padding: 'full' });
    expect(a.prompts).toEqual(['X X X one.', 'X X X two.']);
    expect(a.suffix.shape).toEqual([2, 12 - 1 - 3, 32]);
    const values = a.ctxInit.dataSync();
    expect(Array.from(values)).toEqual(Array.from(b.ctxInit.dataSync()));
    expect(Array.from(values)).not.toEqual(Array.from(c.ctxInit.dataSync()));
    const std = norm2(values) / Math.sqrt(values.length);
    expect(std).toBeGreaterThan(0.014);
    expect(std).toBeLessThan(0.026);
    for (const p of [a, b, c]) p.dispose();
  });

  it('refuses prompts that do not fit, and nCtx that contradicts the init text', async () => {
    await expect(model.promptParts(['one'], { initText: 'a photo of a', nCtx: 16 })).rejects.toThrow(
      'nCtx 16 contradicts initText "a photo of a" (4 words)',
    );
    await expect(
      model.promptParts(['one two zero one two zero one'], { initText: 'a photo of a' }),
    ).rejects.toThrow(
      'prompt "a photo of a one two zero one two zero one." does not fit the context length 12',
    );
  });
});

describe('gradient through the tfjs text encoder', () => {
  it('features and loss match torch', () => {
    const ctx = tf.tensor2d(ref.ctx, [ref.n_ctx, 32]);
    const img = tf.tensor2d(ref.image_features, [5, 24]);
    const features = model.encodeTextEmbeds(assemblePromptEmbeds(parts, ctx), parts.eotIndex);
    expect(maxRelativeError(features.dataSync(), ref.text_features)).toBeLessThan(1e-4);
    const loss = lossOf(ctx, img);
    expect(Math.abs(loss.dataSync()[0]! - ref.loss) / ref.loss).toBeLessThan(1e-4);
    for (const t of [ctx, img, features, loss]) t.dispose();
  });

  it('d loss / d ctx matches torch autograd', () => {
    const ctx = tf.tensor2d(ref.ctx, [ref.n_ctx, 32]);
    const img = tf.tensor2d(ref.image_features, [5, 24]);
    const grad = tf.grad((c: tf.Tensor) => lossOf(c as tf.Tensor2D, img))(ctx);
    expect(grad.shape).toEqual([ref.n_ctx, 32]);
    expect(maxRelativeError(grad.dataSync(), ref.ctx_grad)).toBeLessThan(1e-3);
    for (const t of [ctx, img, grad]) t.dispose();
  });

  it('d loss / d inputs_embeds matches central finite differences', () => {
    // Differentiate the whole [C,L,W] input (what the interface promises), projected on a few directions.
    const img = tf.tensor2d(ref.image_features, [5, 24]);
    const ctx = tf.tensor2d(ref.ctx, [ref.n_ctx, 32]);
    const embeds = assemblePromptEmbeds(parts, ctx);
    const f = (x: tf.Tensor3D) =>
      tf.tidy(() => {
        const logits = tf.mul(
          tf.scalar(model.logitScale),
          tf.matMul(img, l2Normalize(model.encodeTextEmbeds(x, parts.eotIndex)), false, true),
        );
        return tf.mean(entropy(logits)) as tf.Scalar;
      });
    const grad = tf.grad((x: tf.Tensor) => f(x as tf.Tensor3D))(embeds);
    const gradValues = grad.dataSync();
    const norm = norm2(gradValues);
    expect(norm).toBeGreaterThan(1e-3);
    const h = 1e-3; // the loss curves strongly along the gradient (|g| ≈ 22): 1e-2 is too coarse
    const rng = tf.randomNormal(embeds.shape, 0, 1, 'float32', 3);
    const directions = [tf.div(grad, norm), tf.div(rng, tf.norm(rng))];
    for (const v of directions) {
      const analytic = tf.sum(tf.mul(grad, v)).dataSync()[0]!;
      const plus = f(tf.add(embeds, tf.mul(v, h)) as tf.Tensor3D).dataSync()[0]!;
      const minus = f(tf.sub(embeds, tf.mul(v, h)) as tf.Tensor3D).dataSync()[0]!;
      const numeric = (plus - minus) / (2 * h);
      expect(Math.abs(numeric - analytic) / Math.max(Math.abs(analytic), 1e-2 * norm)).toBeLessThan(1e-2);
    }
    tf.dispose([img, ctx, embeds, grad, rng, ...directions]);
  });

  it('leaves no tensors behind over repeated gradient steps', () => {
    const img = tf.tensor2d(ref.image_features, [5, 24]);
    let ctx = tf.tensor2d(ref.ctx, [ref.n_ctx, 32]);
    const step = () => {
      const { value, grads } = tf.valueAndGrads((c: tf.Tensor) => lossOf(c as tf.Tensor2D, img))([ctx]);
      const next = tf.tidy(() => tf.sub(ctx, tf.mul(grads[0]!, 5e-3))) as tf.Tensor2D;
      tf.dispose([value, ...grads, ctx]);
      ctx = next;
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([img, ctx]);
  });
});

describe('encodeTextEmbeds input checks', () => {
  it('names wrong shapes and out-of-range EOT positions', () => {
    const x = tf.zeros([2, 12, 31]) as tf.Tensor3D;
    const eot = tf.tensor1d([3, 4], 'int32');
    expect(() => model.encodeTextEmbeds(x, eot)).toThrow('expected inputs_embeds [C,L,32], got [2,12,31]');
    const y = tf.zeros([2, 12, 32]) as tf.Tensor3D;
    const badEot = tf.tensor1d([3, 12], 'int32');
    expect(() => model.encodeTextEmbeds(y, badEot)).toThrow(
      'eotIndex[1] = 12 is outside the sequence [0, 12)',
    );
    const long = tf.zeros([1, 13, 32]) as tf.Tensor3D;
    expect(() => model.encodeTextEmbeds(long, tf.tensor1d([3], 'int32'))).toThrow(
      'expected inputs_embeds [C,L,32] with L <= 12 (the context length), got L = 13',
    );
    tf.dispose([x, eot, y, badEot, long]);
  });
});
