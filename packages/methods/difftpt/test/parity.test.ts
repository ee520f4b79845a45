// DiffTPT's filters and tuning against the PyTorch reference (scripts/difftpt_reference.py: difftpt_utils.py's
// select_confident_samples_cosine and test_time_tuning_difftpt on TPT's prompt learner and torch.optim.AdamW,
// float64). The filters get the reference's own float32 logits; the tuning starts from the same 128 view
// features.

import { confidenceSelector, predictAfterTuning, promptLogits, tunePrompt } from '@attune/method-tpt';
import { loadVisionLanguageModel, type PromptParts, type VisionLanguageModel } from '@attune/models';
import { AdamW, marginalEntropy, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  codeSelector,
  paperSelector,
  selectByLogitCosine,
  selectSeparately,
  type ViewLayout,
} from '../src/difftpt.js';
import { expectClose, fixture, maxAbsDiff, tensor2d } from './fixtures.js';

const { config } = fixture;
const layout: ViewLayout = { augmented: config.augmentedViews, generated: config.generatedViews };

describe('view filters on fixed logits', () => {
  let logits: tf.Tensor2D;
  let features: tf.Tensor2D;
  beforeAll(() => {
    logits = tensor2d(fixture.filters.logits);
    features = tensor2d(fixture.viewFeatures);
  });
  afterAll(() => tf.dispose([logits, features]));

  it('has the sizes methods.md gives: 127 similarities, int(127·0.8) = 101 by cosine, int(102·0.3) = 30 kept', () => {
    const selection = selectByLogitCosine(logits, config.cosineSelection, config.selection);
    expect(selection.similarity).toHaveLength(127);
    expect(selection.cosineKept).toHaveLength(101);
    expect(selection.kept).toHaveLength(30);
    expect(selection.cosineKept).not.toContain(0);
  });

  it("'code': cosine of logit vectors to view 0, view 0 put back, then entropy — the same rows as torch", () => {
    const selection = selectByLogitCosine(logits, config.cosineSelection, config.selection);
    expectClose(Array.from(selection.similarity), fixture.filters.code.similarity, 1e-6);
    expect(selection.cosineKept).toEqual(fixture.filters.code.cosineKept);
    expect(selection.kept).toEqual(fixture.filters.code.kept);
  });

  it("'paper': conventional views by entropy, generated views by image-feature cosine then entropy", () => {
    const selection = selectSeparately(logits, features, layout, config.cosineSelection, config.selection);
    expect(selection.conventionalKept).toEqual(fixture.filters.paper.conventionalKept);
    expect(selection.generatedCosineKept).toEqual(fixture.filters.paper.generatedCosineKept);
    expect(selection.kept).toEqual(fixture.filters.paper.kept);
    // int(65·0.3) = 19 conventional; int(63·0.8) = 50 by cosine, int(50·0.3) = 15 of those.
    expect([selection.conventionalKept.length, selection.generatedCosineKept.length]).toEqual([19, 50]);
    expect(selection.generatedKept).toHaveLength(15);
    expect(Math.min(...selection.generatedKept)).toBeGreaterThanOrEqual(1 + layout.augmented);
  });

  it("differs from TPT's entropy-only selection on the same logits", () => {
    const tpt = confidenceSelector(config.selection)(logits);
    expect(tpt).toHaveLength(38); // int(128 · 0.3)
    expect(new Set(tpt)).not.toEqual(new Set(fixture.filters.code.kept));
  });
});

describe('4 AdamW steps vs torch', () => {
  let model: VisionLanguageModel;
  let parts: PromptParts;
  let features: tf.Tensor2D;

  beforeAll(async () => {
    model = await loadVisionLanguageModel(fixture.model.id, { tfjs: { backend: 'auto' } });
    parts = await model.promptParts(fixture.classNames, { initText: config.initText, nCtx: config.nCtx });
    features = tensor2d(fixture.viewFeatures);
  }, 60_000);
  afterAll(async () => {
    parts?.dispose();
    features?.dispose();
    await model?.dispose();
  });

  describe.each(['code', 'paper'] as const)("filter '%s'", (filter) => {
    const run = fixture.runs[filter];
    let ctx: tf.Variable<tf.Rank.R2>;
    let result: Awaited<ReturnType<typeof tunePrompt>>;
    let prediction: Awaited<ReturnType<typeof predictAfterTuning>>;

    beforeAll(async () => {
      ctx = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
      const optimizer = new AdamW([ctx], { lr: config.lr, weightDecay: config.weightDecay, eps: config.eps });
      const select =
        filter === 'code'
          ? codeSelector(config.cosineSelection, config.selection)
          : paperSelector(features, layout, config.cosineSelection, config.selection);
      result = await tunePrompt({
        model,
        parts,
        viewFeatures: features,
        ctx,
        optimizer,
        steps: config.steps,
        select,
      });
      prediction = await predictAfterTuning(model, parts, ctx, features, result.kept);
      optimizer.dispose();
    });
    afterAll(() => ctx?.dispose());

    it('selects the same views in step 1 and reuses them', () => {
      expect(result.kept).toEqual(run.kept);
    });

    it('has the same loss before each of the 4 steps and after', () => {
      expect(result.losses).toHaveLength(4);
      expectClose(result.losses, run.losses, 1e-5);
      expect(Math.abs(prediction.entropyAfter - run.entropyAfter)).toBeLessThan(1e-5);
    });

    it('ends with the same ctx and view-0 logits (1e-4)', () => {
      expectClose(ctx.arraySync(), run.ctx, 1e-4);
      expectClose(Array.from(prediction.logits), run.logitsView0, 1e-4);
    });
  });

  it('differentiates the loss of the kept views as torch does (relative 1e-4)', () => {
    const { kept, gradFirstStep } = fixture.runs.code;
    const grad = tf.tidy(() =>
      tf.grad((c: tf.Tensor) =>
        marginalEntropy(tf.gather(promptLogits(model, parts, c as tf.Tensor2D, features), kept)),
      )(parts.ctxInit),
    );
    const scale = Math.max(...gradFirstStep!.flat().map(Math.abs));
    expect(maxAbsDiff(grad.arraySync() as number[][], gradFirstStep!) / scale).toBeLessThan(1e-4);
    grad.dispose();
  });
});
