// Prompt tuning with the text encoder in chunks of classes computes what one pass over all classes computes:
// the same gradient, the same ctx after the AdamW steps, the same prediction — on mini-CLIP with the parity
// fixture's view features (10 classes), for chunk sizes that divide 10 and that do not. And it leaks nothing.
import { loadVisionLanguageModel, type PromptParts, type VisionLanguageModel } from '@attune/models';
import { AdamW, marginalEntropy, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLASS_CHUNK_TOKEN_BUDGET,
  chunkRanges,
  classChunkFor,
  textFeaturesInChunks,
  textFeaturesVjp,
} from '../src/class-chunks.js';
import { tptConfig } from '../src/config.js';
import { EpisodicPrompt } from '../src/episodic-prompt.js';
import type { TptClassifier } from '../src/method.js';
import { tptPlugin } from '../src/plugin.js';
import {
  confidenceSelector,
  type PromptTuningResult,
  predictAfterTuning,
  promptLogits,
  tunePrompt,
} from '../src/tpt.js';
import {
  type Fixture,
  featuresTensor,
  MNIST_CLASSES,
  maxAbsDiff,
  mnistTestImage,
  readFixture,
  TEST_MODEL,
  testRegistry,
} from './fixtures.js';

const fixture = readFixture<Fixture>('tpt-parity.json');
const C = fixture.classNames.length; // 10
// 3 → 3+3+2+2 and 4 → 4+3+3 do not divide 10; 1 and 5 do.
const CHUNKS = [1, 3, 4, 5] as const;

describe('chunk ranges', () => {
  it('splits C rows into ceil(C / size) chunks of near-equal size, none above size', () => {
    expect(chunkRanges(10, 8)).toEqual([
      [0, 5],
      [5, 5],
    ]);
    expect(chunkRanges(10, 3)).toEqual([
      [0, 3],
      [3, 3],
      [6, 2],
      [8, 2],
    ]);
    expect(chunkRanges(10, 10)).toEqual([[0, 10]]);
    expect(chunkRanges(4, 16)).toEqual([[0, 4]]);
    expect(chunkRanges(200, 8)).toHaveLength(25);
    expect(() => chunkRanges(10, 0)).toThrow('chunk size must be an integer >= 1, got 0');
  });

  it("resolves 'auto' from the prompts' length and width: 8 for a ViT-B text tower", () => {
    expect(CLASS_CHUNK_TOKEN_BUDGET).toBe(8 * 77 * 512);
    expect(classChunkFor('auto', { length: 77, width: 512 })).toBe(8);
    expect(classChunkFor('auto', { length: 77, width: 768 })).toBe(5);
    expect(classChunkFor('auto', { length: 20, width: 128 })).toBe(123);
    expect(classChunkFor('auto', { length: 77, width: 100_000 })).toBe(1);
    expect(classChunkFor(3, { length: 77, width: 512 })).toBe(3);
    expect(() => classChunkFor(0, { length: 77, width: 512 })).toThrow(
      "classChunk must be 'auto' or an integer >= 1, got 0",
    );
  });
});

let model: VisionLanguageModel;
let parts: PromptParts;
let features: tf.Tensor2D;

beforeAll(async () => {
  model = await loadVisionLanguageModel(TEST_MODEL, { tfjs: { backend: 'auto' } });
  const { initText, nCtx } = fixture.config;
  parts = await model.promptParts(fixture.classNames, { initText, nCtx });
  features = featuresTensor(fixture.viewFeatures);
}, 60_000);

afterAll(async () => {
  parts?.dispose();
  features?.dispose();
  await model?.dispose();
});

interface Run {
  readonly result: PromptTuningResult;
  readonly ctx: number[][];
  readonly logits: Float32Array;
  readonly entropyAfter: number;
}

/** tunePrompt + predictAfterTuning from the init context with a fresh AdamW. */
async function run(
  classChunk: number,
  steps: number,
  options: { select?: readonly number[]; textFeatures?: tf.Tensor2D } = {},
): Promise<Run> {
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
      select: options.select ?? confidenceSelector(selection),
      classChunk,
      ...(options.textFeatures ? { textFeatures: options.textFeatures } : {}),
    });
    const { logits, entropyAfter } = await predictAfterTuning(
      model,
      parts,
      ctx,
      features,
      result.kept,
      classChunk,
    );
    return { result, ctx: ctx.arraySync(), logits, entropyAfter };
  } finally {
    optimizer.dispose();
    ctx.dispose();
  }
}

describe('the text features in chunks', () => {
  it('are the rows of one pass over all prompts', () => {
    const whole = textFeaturesInChunks(model, parts, parts.ctxInit, C);
    try {
      for (const chunk of CHUNKS) {
        const chunked = textFeaturesInChunks(model, parts, parts.ctxInit, chunk);
        expect(chunked.shape).toEqual(whole.shape);
        expect(maxAbsDiff(chunked.arraySync(), whole.arraySync())).toBeLessThan(1e-6);
        chunked.dispose();
      }
    } finally {
      whole.dispose();
    }
  });
});

describe('the gradient in chunks', () => {
  const kept = () => fixture.runs[0]!.kept;

  /** d(marginal entropy of the kept views)/d(ctx) by one taped pass over all classes. */
  function onePassGradient(): number[][] {
    const grad = tf.tidy(() =>
      tf.grad((c: tf.Tensor) =>
        marginalEntropy(tf.gather(promptLogits(model, parts, c as tf.Tensor2D, features, C), kept())),
      )(parts.ctxInit),
    );
    try {
      return grad.arraySync() as number[][];
    } finally {
      grad.dispose();
    }
  }

  it.each(CHUNKS)(
    'equals one pass: text features without the tape, then VJPs of %i-class chunks',
    (chunk) => {
      const expected = onePassGradient();
      const actual = tf.tidy(() => {
        const text = textFeaturesInChunks(model, parts, parts.ctxInit, chunk);
        const upstream = tf.grad((t: tf.Tensor) =>
          marginalEntropy(tf.gather(model.logits(features, t as tf.Tensor2D), kept())),
        )(text) as tf.Tensor2D;
        return textFeaturesVjp(model, parts, parts.ctxInit, upstream, chunk);
      });
      const values = actual.arraySync();
      actual.dispose();
      const scale = Math.max(...expected.flat().map(Math.abs));
      expect(scale).toBeGreaterThan(0);
      // Relative to the largest component (~3e-3 here); measured 0 for chunks of 1, 8e-8 for the others.
      expect(maxAbsDiff(values, expected) / scale).toBeLessThan(1e-6);
    },
  );
});

describe('tunePrompt in chunks', () => {
  let onePass1: Run;
  let onePass3: Run;
  beforeAll(async () => {
    onePass1 = await run(C, 1);
    onePass3 = await run(C, 3);
  });

  it.each(CHUNKS)(
    'gives the ctx, losses and prediction of one pass after 1 step (chunks of %i)',
    async (chunk) => {
      const chunked = await run(chunk, 1);
      expect(chunked.result.kept).toEqual(onePass1.result.kept);
      expect(maxAbsDiff(chunked.result.losses, onePass1.result.losses)).toBeLessThan(1e-6);
      expect(maxAbsDiff(chunked.ctx, onePass1.ctx)).toBeLessThan(1e-6);
      expect(maxAbsDiff(Array.from(chunked.logits), Array.from(onePass1.logits))).toBeLessThan(1e-5);
      expect(Math.abs(chunked.entropyAfter - onePass1.entropyAfter)).toBeLessThan(1e-6);
    },
  );

  it.each(CHUNKS)('and after 3 steps on the views step 1 kept (chunks of %i)', async (chunk) => {
    const chunked = await run(chunk, 3);
    expect(chunked.result.kept).toEqual(onePass3.result.kept);
    expect(maxAbsDiff(chunked.result.losses, onePass3.result.losses)).toBeLessThan(1e-6);
    expect(maxAbsDiff(chunked.ctx, onePass3.ctx)).toBeLessThan(1e-6);
  });

  it('takes the text features at the initial context from the caller instead of computing them', async () => {
    const text = textFeaturesInChunks(model, parts, parts.ctxInit, 4);
    try {
      const given = await run(4, 3, { textFeatures: text });
      expect(given.result).toEqual((await run(4, 3)).result);
      expect(maxAbsDiff(given.ctx, onePass3.ctx)).toBeLessThan(1e-6);
      expect(text.isDisposed).toBe(false);
    } finally {
      text.dispose();
    }
  });

  it('works on views chosen beforehand too', async () => {
    const rows = onePass1.result.kept;
    const chunked = await run(3, 1, { select: rows });
    expect(maxAbsDiff(chunked.ctx, onePass1.ctx)).toBeLessThan(1e-6);
  });

  it('leaves no tensors behind, in one pass or in chunks', async () => {
    const ctx = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
    const optimizer = new AdamW([ctx], { lr: 5e-3 });
    try {
      for (const classChunk of [C, 3]) {
        const before = tf.memory().numTensors;
        const { kept } = await tunePrompt({
          model,
          parts,
          viewFeatures: features,
          ctx,
          optimizer,
          steps: 2,
          select: confidenceSelector(0.1),
          classChunk,
        });
        // AdamW's moments (2 per parameter) are the only new tensors; reset frees them.
        expect(tf.memory().numTensors).toBe(before + 2);
        optimizer.reset();
        await predictAfterTuning(model, parts, ctx, features, kept, classChunk);
        expect(tf.memory().numTensors).toBe(before);
      }
    } finally {
      optimizer.dispose();
      ctx.dispose();
    }
  });

  it('refuses a bad chunk size and text features of the wrong shape', async () => {
    const ctx = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
    const optimizer = new AdamW([ctx], { lr: 5e-3 });
    const wrong = tf.zeros([C - 1, features.shape[1]]) as tf.Tensor2D;
    const base = { model, parts, viewFeatures: features, ctx, optimizer, steps: 1, select: [0] };
    try {
      await expect(tunePrompt({ ...base, classChunk: 0 })).rejects.toThrow(
        "classChunk must be 'auto' or an integer >= 1, got 0",
      );
      await expect(tunePrompt({ ...base, classChunk: 2.5 })).rejects.toThrow(/got 2.5/);
      await expect(tunePrompt({ ...base, classChunk: 3, textFeatures: wrong })).rejects.toThrow(
        `expected text features [${C},${features.shape[1]}] (one row per prompt), got [${C - 1},${features.shape[1]}]`,
      );
    } finally {
      wrong.dispose();
      optimizer.dispose();
      ctx.dispose();
    }
  });
});

describe('the initial text features an episodic prompt keeps', () => {
  const options = { initText: 'a photo of a', nCtx: 4, seed: 0, lr: 5e-3, weightDecay: 0.01, eps: 1e-8 };

  it('are computed once per class set above the chunk size, and freed with it', async () => {
    const prompt = new EpisodicPrompt(model, { ...options, classChunk: 4, gradients: 'tfjs' });
    const start = tf.memory().numTensors;
    try {
      await prompt.prepare(MNIST_CLASSES);
      const first = (await prompt.initialTextFeatures())!;
      expect(first.shape).toEqual([10, model.embedDim]);
      expect(await prompt.initialTextFeatures()).toBe(first);
      const expected = textFeaturesInChunks(model, parts, parts.ctxInit, C);
      expect(maxAbsDiff(first.arraySync(), expected.arraySync())).toBeLessThan(1e-6);
      expected.dispose();
      // Three classes fit in one chunk: none kept (one taped pass gives them anyway).
      await prompt.partsFor(['three', 'seven', 'nine']);
      expect(first.isDisposed).toBe(true);
      expect(await prompt.initialTextFeatures()).toBeUndefined();
    } finally {
      prompt.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('the tpt plugin with classChunk', () => {
  const registry = testRegistry(tptPlugin);
  const FAST = { model: TEST_MODEL, views: 16, selection: 0.25, steps: 2 };
  const a = mnistTestImage(0);

  it('takes it in its config', () => {
    expect(tptConfig.parse({}).classChunk).toBe('auto');
    expect(tptConfig.parse({ classChunk: 3 }).classChunk).toBe(3);
    expect(() => tptConfig.parse({ classChunk: 0 })).toThrow();
    expect(() => tptConfig.parse({ classChunk: 'all' })).toThrow();
  });

  it('classifies as in one pass, and leaks nothing across calls', async () => {
    const onePass = await registry.create<TptClassifier>('tpt', { ...FAST, classChunk: 10 }, { seed: 0 });
    const chunked = await registry.create<TptClassifier>('tpt', { ...FAST, classChunk: 3 }, { seed: 0 });
    try {
      const expected = await onePass.classify({ image: a.image, classNames: MNIST_CLASSES });
      // The first call creates what an instance keeps (ctx, AdamW's moments, the class set's prompts and
      // initial features); a second call adds nothing.
      await chunked.prepareClasses(MNIST_CLASSES);
      const first = await chunked.classify({ image: a.image, classNames: MNIST_CLASSES });
      const before = tf.memory().numTensors;
      const actual = await chunked.classify({ image: a.image, classNames: MNIST_CLASSES });
      expect(tf.memory().numTensors).toBe(before);
      expect(actual.probs).toEqual(first.probs);
      expect(actual.prediction).toBe(expected.prediction);
      expect(maxAbsDiff(actual.probs, expected.probs)).toBeLessThan(1e-6);
      expect(Math.abs(actual.adaptation.entropyAfter! - expected.adaptation.entropyAfter!)).toBeLessThan(
        1e-6,
      );
      expect(actual.adaptation.entropyBefore).toBeCloseTo(expected.adaptation.entropyBefore!, 6);
    } finally {
      await onePass.dispose();
      await chunked.dispose();
    }
  }, 60_000);
});
