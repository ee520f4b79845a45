// The onnxruntime gradient path (tunePrompt with runtime 'onnx': text features from the forward session, d/dctx from the
// text encoder's VJP graph) against the same PyTorch reference as parity.test.ts, and against the tfjs path.
import { loadVisionLanguageModel, type PromptParts, type VisionLanguageModel } from '@attune/models';
import { AdamW, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textFeaturesVjp } from '../src/class-chunks.js';
import { textFeaturesVjpOnnx } from '../src/onnx-chunks.js';
import { resolveGradients } from '../src/resolve-gradients.js';
import { confidenceSelector, predictAfterTuning, tunePrompt } from '../src/tpt.js';
import { expectClose, type Fixture, featuresTensor, readFixture } from './fixtures.js';

const fixture = readFixture<Fixture>('tpt-parity.json');

let model: VisionLanguageModel;
let parts: PromptParts;
let features: tf.Tensor2D;

beforeAll(async () => {
  model = await loadVisionLanguageModel(fixture.model.id, { tfjs: { backend: 'auto' } });
  const { initText, nCtx } = fixture.config;
  parts = await model.promptParts(fixture.classNames, { initText, nCtx });
  features = featuresTensor(fixture.viewFeatures);
}, 60_000);

afterAll(async () => {
  parts?.dispose();
  features?.dispose();
  await model?.dispose();
});

describe("gradients: 'auto' | 'onnx' | 'tfjs'", () => {
  it("resolves 'auto' to onnx for the zoo's CLIP (every op has a rule)", async () => {
    expect(await resolveGradients(model, 'auto')).toBe('onnx');
    expect(await resolveGradients(model, 'tfjs')).toBe('tfjs');
    expect(await resolveGradients(model, 'onnx')).toBe('onnx');
  });

  it("falls back to tfjs on 'auto' and fails on 'onnx' when a rule is missing", async () => {
    const lacking = {
      onnxGradientSupport: async () => ({ supported: false, missing: ["Einsum (node 'e')"] }),
    };
    expect(await resolveGradients(lacking, 'auto')).toBe('tfjs');
    await expect(resolveGradients(lacking, 'onnx')).rejects.toThrow(/no VJP rule for Einsum \(node 'e'\)/);
    await expect(resolveGradients({}, 'onnx')).rejects.toThrow(
      /needs a model with an onnxruntime text encoder/,
    );
  });
});

describe('the chunked VJP on onnxruntime', () => {
  it('gives the tfjs chunked gradient (1e-4 relative) for chunks of 3', async () => {
    const C = parts.prefix.shape[0];
    const upstream = tf.randomNormal([C, model.embedDim], 0, 1, 'float32', 3) as tf.Tensor2D;
    try {
      const reference = textFeaturesVjp(model, parts, parts.ctxInit, upstream, 3);
      const ours = await textFeaturesVjpOnnx(model, parts, parts.ctxInit, upstream, 3);
      const scale = tf.max(tf.abs(reference)).dataSync()[0]!;
      const diff = tf.max(tf.abs(tf.sub(reference, ours))).dataSync()[0]!;
      expect(diff / scale).toBeLessThan(1e-4);
      tf.dispose([reference, ours]);
    } finally {
      upstream.dispose();
    }
  }, 60_000);
});

describe.each(fixture.runs.map((run) => [run.steps, run] as const))(
  'onnxruntime path, %i AdamW step(s) vs torch',
  (steps, run) => {
    it('keeps the same views, losses, ctx and view-0 logits (1e-4)', async () => {
      const ctx = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
      const { lr, weightDecay, eps, selection } = fixture.config;
      const optimizer = new AdamW([ctx], { lr, weightDecay, eps });
      try {
        const result = await tunePrompt({
          model,
          parts,
          viewFeatures: features,
          ctx,
          optimizer,
          steps,
          select: confidenceSelector(selection),
          classChunk: 4,
          runtime: 'onnx',
        });
        const { logits, entropyAfter } = await predictAfterTuning(
          model,
          parts,
          ctx,
          features,
          result.kept,
          4,
          'onnx',
        );
        expect(result.kept).toEqual(run.kept);
        expectClose(result.losses, run.losses, 1e-5);
        expect(Math.abs(entropyAfter - run.entropyAfter)).toBeLessThan(1e-5);
        expectClose(ctx.arraySync(), run.ctx, 1e-4);
        expectClose(Array.from(logits), run.logitsView0, 1e-4);
      } finally {
        optimizer.dispose();
        ctx.dispose();
      }
    }, 60_000);
  },
);
