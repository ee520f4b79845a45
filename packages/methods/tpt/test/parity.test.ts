// TPT's tuning step against the PyTorch reference (scripts/tpt_reference.py: azshue/TPT's
// select_confident_samples, avg_entropy, PromptLearner and torch.optim.AdamW, in float64, on the zoo
// recipe's own text encoder module with the committed weights). Same view features, same classes: the
// kept views, the losses, the gradient, ctx after the steps and view 0's logits must agree.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadVisionLanguageModel, type PromptParts, type VisionLanguageModel } from '@attune/models';
import { AdamW, marginalEntropy, tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confidenceSelector, predictAfterTuning, promptLogits, tunePrompt } from '../src/tpt.js';
import {
  expectClose,
  type Fixture,
  featuresTensor,
  fixturePath,
  maxAbsDiff,
  readFixture,
} from './fixtures.js';

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

describe('the fixture', () => {
  it('was made with the model the test loads (else: regenerate it with scripts/tpt_reference.py)', () => {
    const dir = (model as unknown as { resolved: { dir: string } }).resolved.dir;
    for (const [file, sha] of Object.entries(fixture.model.sha256)) {
      const actual = createHash('sha256')
        .update(readFileSync(join(dir, file)))
        .digest('hex');
      expect(actual, `${file} changed since ${fixturePath('tpt-parity.json')} was generated`).toBe(sha);
    }
  });
});

describe('prompt layout (PromptLearner)', () => {
  it('tokenises "a photo of a <class>." as the reference does, cut after the last EOT', () => {
    // mini-CLIP's causal tower ignores the padding (measured by promptParts' padding: 'auto'), so the
    // parts keep the reference's rows up to the batch's last end token; every torch step below runs at 77.
    const length = parts.length;
    expect(parts.trimmed).toBe(true);
    expect(length).toBe(Math.max(...parts.eotPositions) + 1);
    const rows = fixture.promptTokenIds.map((_, c) =>
      Array.from(parts.tokenIds.slice(c * length, (c + 1) * length)),
    );
    expect(rows).toEqual(fixture.promptTokenIds.map((row) => row.slice(0, length)));
    expect(fixture.promptTokenIds.every((row) => row.slice(length).every((id) => id === row[length]))).toBe(
      true,
    );
  });

  it('starts ctx from the token embeddings of the init text', () => {
    expect(maxAbsDiff(parts.ctxInit.arraySync(), fixture.ctxInit)).toBeLessThan(1e-6);
  });
});

describe.each(fixture.runs.map((run) => [run.steps, run] as const))(
  '%i AdamW step(s) vs torch',
  (steps, run) => {
    let result: Awaited<ReturnType<typeof tunePrompt>>;
    let ctx: tf.Variable<tf.Rank.R2>;
    let logits: Float32Array;
    let entropyAfter: number;

    beforeAll(async () => {
      ctx = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
      const { lr, weightDecay, eps, selection } = fixture.config;
      const optimizer = new AdamW([ctx], { lr, weightDecay, eps });
      result = await tunePrompt({
        model,
        parts,
        viewFeatures: features,
        ctx,
        optimizer,
        steps,
        select: confidenceSelector(selection),
      });
      ({ logits, entropyAfter } = await predictAfterTuning(model, parts, ctx, features, result.kept));
      optimizer.dispose();
    });

    afterAll(() => ctx?.dispose());

    it('keeps the same 6 lowest-entropy views', () => {
      expect(result.kept).toEqual(run.kept);
    });

    it('computes the same marginal entropy before each step and after tuning', () => {
      expectClose(result.losses, run.losses, 1e-5);
      expect(Math.abs(result.losses[0]! - run.entropyBefore)).toBeLessThan(1e-5);
      expect(Math.abs(entropyAfter - run.entropyAfter)).toBeLessThan(1e-5);
    });

    it('ends with the same ctx (1e-4)', () => {
      expectClose(ctx.arraySync(), run.ctx, 1e-4);
    });

    it('gives the same logits for view 0 with the tuned ctx (1e-4)', () => {
      expectClose(Array.from(logits), run.logitsView0, 1e-4);
    });
  },
);

describe('tuning on views chosen beforehand', () => {
  it('gives the same ctx as selecting them in step 1', async () => {
    const [first] = fixture.runs;
    const ctx = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
    const { lr, weightDecay, eps } = fixture.config;
    const optimizer = new AdamW([ctx], { lr, weightDecay, eps });
    try {
      const result = await tunePrompt({
        model,
        parts,
        viewFeatures: features,
        ctx,
        optimizer,
        steps: 1,
        select: first!.kept,
      });
      expect(result.kept).toEqual(first!.kept);
      expectClose(ctx.arraySync(), first!.ctx, 1e-4);
      await expect(
        tunePrompt({ model, parts, viewFeatures: features, ctx, optimizer, steps: 1, select: [0, 64] }),
      ).rejects.toThrow(/row 64; expected row indices in \[0, 64\)/);
    } finally {
      optimizer.dispose();
      ctx.dispose();
    }
  });
});

describe('the gradient through the text encoder', () => {
  const [first] = fixture.runs;

  it('matches torch autograd of the first step (relative 1e-4)', () => {
    const expected = first!.gradFirstStep!;
    const grad = tf.tidy(() =>
      tf.grad((c: tf.Tensor) =>
        marginalEntropy(tf.gather(promptLogits(model, parts, c as tf.Tensor2D, features), first!.kept)),
      )(parts.ctxInit),
    );
    const actual = grad.arraySync() as number[][];
    grad.dispose();
    const scale = Math.max(...expected.flat().map(Math.abs));
    expect(scale).toBeGreaterThan(0);
    expect(maxAbsDiff(actual, expected) / scale).toBeLessThan(1e-4);
  });
});
