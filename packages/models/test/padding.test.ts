// promptParts' padding: a causal tower's EOT feature ignores the padding after it, so 'auto' cuts prompt
// batches after their last end token — measured once per model, not assumed; a tower that attends both ways
// (fixtures/tiny-clip-bidirectional, scripts/make_bidirectional_fixture.py) keeps the full context.
import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { PADDING_TOLERANCE } from '../src/padding-check.js';
import { assemblePromptEmbeds, type PromptParts } from '../src/prompt-parts.js';
import { FIXTURES, maxRelativeError, TINY_CLIP } from './fixtures.js';

const CLASSES = ['zero', 'one', 'two', 't_shirt'];
const INIT = { initText: 'a photo of a' };

async function features(model: ClipVisionLanguageModel, parts: PromptParts, ctx: tf.Tensor2D) {
  const embeds = assemblePromptEmbeds(parts, ctx);
  const out = await model.encodeTextEmbedsOnnx(embeds, parts.eotIndex);
  const data = await out.data();
  for (const t of [embeds, out]) t.dispose();
  return data;
}

/** d sum(w ⊙ features) / d ctx through the VJP graph, summed over classes as TPT's shared context does. */
async function contextGradient(model: ClipVisionLanguageModel, parts: PromptParts, ctx: tf.Tensor2D) {
  const embeds = assemblePromptEmbeds(parts, ctx);
  const C = parts.classNames.length;
  const upstream = tf.tidy(() => tf.sin(tf.range(0, C * model.embedDim).reshape([C, model.embedDim])));
  const grad = await model.textEmbedsVjp(embeds, parts.eotIndex, upstream as tf.Tensor2D);
  const n = parts.nCtx;
  const ctxGrad = tf.tidy(() => tf.sum(tf.slice(grad, [0, 1, 0], [C, n, grad.shape[2]]), 0));
  const data = await ctxGrad.data();
  for (const t of [embeds, upstream, grad, ctxGrad]) t.dispose();
  return data;
}

describe("padding 'auto' on a causal tower (tiny-clip)", () => {
  let model: ClipVisionLanguageModel;
  let full: PromptParts;
  let cut: PromptParts;
  beforeAll(async () => {
    model = await loadVisionLanguageModel(TINY_CLIP, { threads: 1 });
    full = await model.promptParts(CLASSES, { ...INIT, padding: 'full' });
    cut = await model.promptParts(CLASSES, INIT);
  });
  afterAll(async () => {
    full.dispose();
    cut.dispose();
    await model.dispose();
  });

  it('measures the padding as inert and cuts after the last end token', () => {
    expect(full.trimmed).toBe(false);
    expect(full.length).toBe(12);
    expect(cut.trimmed).toBe(true);
    expect(cut.length).toBe(Math.max(...full.eotPositions) + 1);
    expect(cut.length).toBeLessThan(12);
    expect(Array.from(cut.eotPositions)).toEqual(Array.from(full.eotPositions));
    expect(cut.suffix.shape).toEqual([4, cut.length - 1 - 4, 32]);
    const check = model.paddingCheck!;
    expect(check.inert).toBe(true);
    expect(check.relativeDifference).toBeLessThanOrEqual(PADDING_TOLERANCE);
    expect(check).toMatchObject({ fullLength: 12, trimmedLength: cut.length });
    expect(model.backends.textPadding).toMatch(/^cut after EOT \(measured exact: .* of 12 tokens\)$/);
  });

  it('gives the full context’s features and context gradient (≤ 1e-5)', async () => {
    const ctx = tf.tidy(() =>
      tf.add(full.ctxInit, tf.mul(0.05, tf.cos(tf.range(0, 4 * 32).reshape([4, 32])))),
    );
    expect(
      maxRelativeError(
        await features(model, cut, ctx as tf.Tensor2D),
        await features(model, full, ctx as tf.Tensor2D),
      ),
    ).toBeLessThan(1e-5);
    const g = await contextGradient(model, cut, ctx as tf.Tensor2D);
    expect(maxRelativeError(g, await contextGradient(model, full, ctx as tf.Tensor2D))).toBeLessThan(1e-5);
    ctx.dispose();
  });

  it('refuses an unknown padding mode, naming the allowed ones', async () => {
    await expect(model.promptParts(CLASSES, { ...INIT, padding: 'short' as never })).rejects.toThrow(
      `padding must be one of 'auto', 'trim', 'full'`,
    );
  });
});

describe("padding 'auto' on a tower that attends both ways (tiny-clip-bidirectional)", () => {
  let model: ClipVisionLanguageModel;
  beforeAll(async () => {
    model = await loadVisionLanguageModel(`${FIXTURES}tiny-clip-bidirectional`, { threads: 1 });
  });
  afterAll(async () => {
    await model.dispose();
  });

  it('measures that the padding changes the features and keeps the full context', async () => {
    const parts = await model.promptParts(CLASSES, INIT);
    expect(parts.trimmed).toBe(false);
    expect(parts.length).toBe(12);
    const check = model.paddingCheck!;
    expect(check.inert).toBe(false);
    expect(check.relativeDifference).toBeGreaterThan(1e-3);
    expect(model.backends.textPadding).toMatch(/^full context \(the padding changes the features/);
    parts.dispose();
  });

  it("cuts when asked ('trim'), and the features then differ: the user's choice, not the default", async () => {
    const full = await model.promptParts(CLASSES, { ...INIT, padding: 'full' });
    const cut = await model.promptParts(CLASSES, { ...INIT, padding: 'trim' });
    expect(cut.trimmed).toBe(true);
    expect(
      maxRelativeError(await features(model, cut, cut.ctxInit), await features(model, full, full.ctxInit)),
    ).toBeGreaterThan(1e-3);
    full.dispose();
    cut.dispose();
  });
});
