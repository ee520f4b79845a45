/**
 * Baseline: vanilla soft prompt tuning (Lester et al., 2021; DePT's `prompt-tuning` variant) on the whole
 * reference set of a family. A prompt P of L rows is trained on every correctly answered reference
 * (question → answer) and prepended to each test question; the answer is scored exactly as C3PO's base answer
 * (the restricted argmax over the options' first tokens at the last prompt token, MoELM.scoreFromLogits).
 *
 * The machinery is DePT's (@attune/method-dept): PromptLM on zoo:mini-moe (its inputs-embeds entry point cut
 * from onnx/model.onnx at load time, fed "no routing override"), rows laid out by trainBatch
 * ([P ; BOS + prompt tokens, right-padded and masked]), the loss and d loss / d P from one run of the VJP graph,
 * TrainStep's AdamW (eps 1e-6, weight decay 0, betas 0.9/0.999) with the linear warm-up then decay, and the
 * seeded batch order (batchIndices: the batch of step k is a function of (seed, k), so a seed gives one prompt).
 * What differs from DePT's PromptTuner: the label is the option's first token only (as C3PO scores it; DePT
 * trains " word" + the end token) and the answer is that restricted argmax (DePT decodes greedily).
 */
import {
  batchIndices,
  type DeptShape,
  type EncodedInput,
  encodeInput,
  initDeptParams,
  PromptLM,
  type TrainRow,
  TrainStep,
  trainBatch,
} from '@attune/method-dept';
import type { MoELM, OptionScores } from '@attune/models';
import { crossEntropy } from './cross-entropy.js';
import type { Reference } from './remix.js';

/** What the baseline reads of a reference. */
export type LabelledQuestion = Pick<Reference, 'id' | 'question' | 'answer' | 'options'>;

export interface PromptTuningOptions {
  /** Soft-prompt rows L (default 10: 640 parameters at d 64, a few per reference). */
  readonly promptTokens?: number;
  /**
   * AdamW steps (default 120: ≈ 15 epochs of a 250-reference family at batch 32; the dense MoE export runs all 8
   * experts on every token, so a step on spam's ~110-token rows takes ~0.7 s on one shared thread).
   */
  readonly steps?: number;
  /** Peak learning rate (DePT's vanilla PT: 0.3, one group). */
  readonly lr?: number;
  /** Linear warm-up steps, then linear decay to 0 (default 10 % of steps). */
  readonly warmupSteps?: number;
  readonly batchSize?: number;
  /** Seed of the batch order. */
  readonly seed?: number;
  /** Text whose token embeddings initialise P, repeated/truncated to L rows (PEFT PromptTuningInit.TEXT). */
  readonly initText?: string;
  /** onnxruntime threads (default 1). */
  readonly threads?: number;
}

export const PROMPT_TUNING_DEFAULTS = {
  promptTokens: 10,
  steps: 120,
  lr: 0.3,
  batchSize: 32,
  seed: 0,
  initText: 'Read the text and answer the question with one word.',
} as const;

export interface PromptTuningRun {
  /** P [L × d], row-major. */
  readonly prompt: Float32Array;
  /** Batch loss before each step (mean first-token cross-entropy). */
  readonly losses: readonly number[];
  readonly steps: number;
  readonly references: number;
  readonly ms: number;
}

export interface PromptAnswer extends OptionScores {
  /** Graph calls (1: one forward of [P ; prompt]). */
  readonly passes: number;
  readonly ms: number;
}

export class SoftPromptBaseline {
  readonly promptTokens: number;
  readonly steps: number;
  readonly lr: number;
  readonly warmupSteps: number;
  readonly batchSize: number;
  readonly seed: number;
  readonly initText: string;
  private trained: Float32Array | undefined;

  constructor(
    readonly model: MoELM,
    readonly lm: PromptLM,
    options: PromptTuningOptions = {},
  ) {
    if (lm.source !== model.source) {
      throw new RangeError(`the prompt LM was loaded from ${lm.source}, the MoE LM from ${model.source}`);
    }
    const d = PROMPT_TUNING_DEFAULTS;
    this.promptTokens = options.promptTokens ?? d.promptTokens;
    this.steps = options.steps ?? d.steps;
    this.lr = options.lr ?? d.lr;
    this.warmupSteps = options.warmupSteps ?? Math.round(this.steps / 10);
    this.batchSize = options.batchSize ?? d.batchSize;
    this.seed = options.seed ?? d.seed;
    this.initText = options.initText ?? d.initText;
    const positive = { promptTokens: this.promptTokens, steps: this.steps, batchSize: this.batchSize };
    for (const [name, value] of Object.entries(positive)) {
      if (!Number.isInteger(value) || value < 1) {
        throw new RangeError(`${name} must be a whole number >= 1, got ${value}`);
      }
    }
    if (!(this.lr > 0) || !Number.isFinite(this.lr)) {
      throw new RangeError(`lr must be a finite number > 0, got ${this.lr}`);
    }
    if (!Number.isInteger(this.warmupSteps) || this.warmupSteps < 0 || this.warmupSteps > this.steps) {
      throw new RangeError(
        `warmupSteps must be a whole number in [0, steps = ${this.steps}], got ${this.warmupSteps}`,
      );
    }
  }

  /** Loads DePT's PromptLM on the same model (cutting its inputs-embeds entry point on first use). */
  static async load(model: MoELM, options: PromptTuningOptions = {}): Promise<SoftPromptBaseline> {
    const lm = await PromptLM.load(model.source, { threads: options.threads ?? 1 });
    return new SoftPromptBaseline(model, lm, options);
  }

  /** The trained prompt (after `train`). */
  get prompt(): Float32Array | undefined {
    return this.trained;
  }

  /** P at step 0: the init text's token embeddings, repeated/truncated to L rows. */
  initialPrompt(): Float32Array {
    const shape = this.shapeFor(1);
    const ids = this.lm.tokenizer.encode(this.initText, false);
    if (ids.length === 0)
      throw new RangeError('initText has no tokens; P is initialised from its embeddings');
    return initDeptParams(shape, this.lm.embed(ids), () => 0).prompt;
  }

  /** Prompt text through the model's template, BOS + tokens, and the label: the answer's first token. */
  rows(references: readonly LabelledQuestion[]): TrainRow[] {
    if (references.length === 0) {
      throw new RangeError(
        'the reference set is empty: prompt tuning trains on correctly answered references (question → answer); load them with loadReferences(<family>.reference.jsonl)',
      );
    }
    return references.map((r) => {
      const index = r.options.indexOf(r.answer);
      if (index < 0) {
        throw new RangeError(
          `reference ${r.id}: answer ${JSON.stringify(r.answer)} is not one of its options ${JSON.stringify(r.options)}`,
        );
      }
      return { input: this.encode(r.question), label: [this.model.optionTokens(r.options)[index]!] };
    });
  }

  /** Trains P on the references (seeded batch order); the same seed gives the same prompt. */
  async train(
    references: readonly LabelledQuestion[],
    options: { readonly onStep?: (step: number, loss: number) => void } = {},
  ): Promise<PromptTuningRun> {
    const t0 = performance.now();
    const rows = this.rows(references);
    const shape = this.shapeFor(Math.max(...rows.map((r) => r.input.ids.length)));
    const trainer = new TrainStep(
      this.lm,
      shape,
      {
        steps: this.steps,
        batchSize: this.batchSize,
        lrPrompt: this.lr,
        lrLora: 0,
        warmupSteps: this.warmupSteps,
        eps: 1e-6,
        weightDecay: 0,
        seed: this.seed,
      },
      this.params(this.initialPrompt()),
    );
    const losses: number[] = [];
    try {
      for (let step = 0; step < this.steps; step++) {
        const batch = batchIndices(step, this.batchSize, rows.length, this.seed).map((i) => rows[i]!);
        // Each batch padded to its own longest prompt (r = 0: P does not depend on s).
        const { loss } = await trainer.step(batch, { fitBatch: true });
        losses.push(loss);
        options.onStep?.(step + 1, loss);
      }
      this.trained = trainer.params().prompt;
    } finally {
      trainer.dispose();
    }
    return {
      prompt: this.trained,
      losses,
      steps: this.steps,
      references: rows.length,
      ms: performance.now() - t0,
    };
  }

  /** Mean first-token cross-entropy of the references under `prompt` (default: the trained one). Forward only. */
  async referenceLoss(
    references: readonly LabelledQuestion[],
    prompt = this.requirePrompt(),
  ): Promise<number> {
    const rows = this.rows(references);
    let total = 0;
    for (let i = 0; i < rows.length; i += this.batchSize) {
      const chunk = rows.slice(i, i + this.batchSize);
      const { logits, at } = await this.forward(
        chunk.map((r) => r.input),
        prompt,
      );
      const V = this.lm.config.vocabSize;
      chunk.forEach((r, b) => {
        total += crossEntropy(logits.subarray(at[b]! * V, at[b]! * V + V), r.label[0]!);
      });
    }
    return total / rows.length;
  }

  /** Answers with P prepended: one forward, the restricted argmax over the options' first tokens. */
  async answer(
    question: string,
    options: readonly string[],
    prompt = this.requirePrompt(),
  ): Promise<PromptAnswer> {
    const t0 = performance.now();
    const { logits, at } = await this.forward([this.encode(question)], prompt);
    const V = this.lm.config.vocabSize;
    const scores = this.model.scoreFromLogits(logits.slice(at[0]! * V, at[0]! * V + V), options);
    return { ...scores, passes: 1, ms: performance.now() - t0 };
  }

  /** Gradient of the mean first-token CE over `references` w.r.t. P (for tests; one VJP run). */
  async lossAndGradient(
    references: readonly LabelledQuestion[],
    prompt: Float32Array,
  ): Promise<{ loss: number; gradient: Float32Array }> {
    const rows = this.rows(references);
    const shape = this.shapeFor(Math.max(...rows.map((r) => r.input.ids.length)));
    const batch = trainBatch(
      this.lm,
      shape,
      this.params(prompt),
      new Float32Array(shape.maxLength * shape.dim),
      rows,
    );
    const { loss, grad } = await this.lm.lossAndGradient(batch);
    const L = this.promptTokens;
    const d = this.lm.dim;
    const gradient = new Float32Array(L * d);
    for (let b = 0; b < batch.batch; b++) {
      for (let i = 0; i < L * d; i++) gradient[i]! += grad[b * batch.length * d + i]!;
    }
    return { loss, gradient };
  }

  async dispose(): Promise<void> {
    await this.lm.dispose();
  }

  private encode(question: string): EncodedInput {
    return encodeInput(this.lm, this.model.promptOf(question), this.model.config.contextLength, 'error');
  }

  private requirePrompt(): Float32Array {
    if (!this.trained) throw new Error('no soft prompt yet: call train(references) first, or pass a prompt');
    return this.trained;
  }

  private shapeFor(maxLength: number): DeptShape {
    return { promptTokens: this.promptTokens, rank: 0, maxLength, dim: this.lm.dim, alpha: 8 };
  }

  private params(prompt: Float32Array) {
    const expected = this.promptTokens * this.lm.dim;
    if (prompt.length !== expected) {
      throw new RangeError(
        `the soft prompt has ${prompt.length} values; expected L × d = ${this.promptTokens} × ${this.lm.dim} = ${expected}`,
      );
    }
    return { prompt, loraA: new Float32Array(0), loraB: new Float32Array(0) };
  }

  /** Logits of [P ; inputs] and, per row, the flat position of its last prompt token. */
  private async forward(
    inputs: readonly EncodedInput[],
    prompt: Float32Array,
  ): Promise<{ logits: Float32Array; at: number[] }> {
    const shape = this.shapeFor(Math.max(...inputs.map((i) => i.ids.length)));
    // A one-token label row count 0: trainBatch lays out [P ; input] with no teacher-forced rows.
    const batch = trainBatch(
      this.lm,
      shape,
      this.params(prompt),
      new Float32Array(shape.maxLength * shape.dim),
      inputs.map((input) => ({ input, label: [0] })),
    );
    const logits = await this.lm.logits(batch);
    return {
      logits,
      at: inputs.map((input, b) => b * batch.length + shape.promptTokens + input.ids.length - 1),
    };
  }
}
