// One DePT / prompt-tuning training run's moving parts: the trainable tensors as tfjs variables, one AdamW with
// two parameter groups (P; A and B — DePT's train.py: eps 1e-6, weight decay 0), the linear warm-up then linear
// decay schedule (transformers.get_linear_schedule_with_warmup), and the batch order. The batch of step k is a
// function of (seed, k) only — an epoch is a seeded permutation of the training set — so a run resumed from a
// checkpoint at step k sees exactly the batches it would have seen.
import { AdamW, createRng, LrScheduler, linearWarmupThenDecay, tf } from '@attune/tensor';
import { type DeptParams, type DeptShape, embeddingUpdate, splitGradient } from './dept.js';
import type { PromptLM } from './prompt-lm.js';
import { type TrainRow, trainBatch } from './sequences.js';

export interface OptimizerSettings {
  readonly steps: number;
  readonly batchSize: number;
  /** lr of P (DePT: 3e-1). */
  readonly lrPrompt: number;
  /** lr of A and B (DePT: 1e-4 … 5e-3). */
  readonly lrLora: number;
  readonly warmupSteps: number;
  /** AdamW eps (DePT: 1e-6, transformers' AdamW). */
  readonly eps: number;
  /** AdamW decoupled weight decay (DePT: 0). */
  readonly weightDecay: number;
  readonly seed: number;
}

/** AdamW moments per parameter name, as AdamW.exportState returns them. */
export type OptimizerState = Record<string, { step: number; expAvg: Float32Array; expAvgSq: Float32Array }>;

export const PARAM_NAMES = {
  prompt: 'prompt_embeddings',
  loraA: 'lora_embedding_A',
  loraB: 'lora_embedding_B',
} as const;

/** The training rows of step `step` (0-based): a slice of the seeded permutation of its epoch. */
export function batchIndices(step: number, batchSize: number, examples: number, seed: number): number[] {
  const out: number[] = [];
  const rng = createRng(seed).fork('batches');
  let position = step * batchSize;
  let epoch = -1;
  let order: number[] = [];
  while (out.length < Math.min(batchSize, examples)) {
    const e = Math.floor(position / examples);
    if (e !== epoch) {
      epoch = e;
      order = rng.fork(e).permutation(examples);
    }
    out.push(order[position % examples]!);
    position++;
  }
  return out;
}

export class TrainStep {
  readonly prompt: tf.Variable;
  readonly loraA: tf.Variable | undefined;
  readonly loraB: tf.Variable | undefined;
  readonly optimizer: AdamW;
  private readonly scheduler: LrScheduler;

  constructor(
    readonly lm: PromptLM,
    readonly shape: DeptShape,
    readonly settings: OptimizerSettings,
    initial: DeptParams,
    /** Steps already taken (resume): the schedule starts there. */
    startStep = 0,
    optimizerState?: OptimizerState,
  ) {
    const { promptTokens: m, rank: r, maxLength: s, dim: d } = shape;
    this.prompt = tf.variable(tf.tensor2d(initial.prompt, [m, d]), true, PARAM_NAMES.prompt);
    const groups: { params: tf.Variable[]; lr: number }[] = [
      { params: [this.prompt], lr: settings.lrPrompt },
    ];
    if (r > 0) {
      this.loraA = tf.variable(tf.tensor2d(initial.loraA, [s, r]), true, PARAM_NAMES.loraA);
      this.loraB = tf.variable(tf.tensor2d(initial.loraB, [r, d]), true, PARAM_NAMES.loraB);
      groups.push({ params: [this.loraA, this.loraB], lr: settings.lrLora });
    }
    this.optimizer = new AdamW(groups, {
      eps: settings.eps,
      weightDecay: settings.weightDecay,
      betas: [0.9, 0.999],
    });
    if (optimizerState) this.optimizer.importState(optimizerState);
    this.scheduler = new LrScheduler(
      this.optimizer,
      linearWarmupThenDecay({ warmupSteps: settings.warmupSteps, totalSteps: settings.steps }),
    );
    for (let i = 0; i < startStep; i++) this.scheduler.step();
  }

  /** The learning rate of each group now (P first). */
  get lrs(): number[] {
    return this.scheduler.lrs;
  }

  params(): DeptParams {
    return {
      prompt: Float32Array.from(this.prompt.dataSync() as Float32Array),
      loraA: this.loraA ? Float32Array.from(this.loraA.dataSync() as Float32Array) : new Float32Array(0),
      loraB: this.loraB ? Float32Array.from(this.loraB.dataSync() as Float32Array) : new Float32Array(0),
    };
  }

  /** Loss and gradients of one batch, without updating (the parity test compares these with torch). */
  async gradients(rows: readonly TrainRow[]): Promise<{ loss: number; grads: DeptParams; tokens: number }> {
    const params = this.params();
    const batch = trainBatch(this.lm, this.shape, params, embeddingUpdate(this.shape, params), rows);
    const { loss, grad } = await this.lm.lossAndGradient(batch);
    if (!Number.isFinite(loss)) throw new Error(`training loss is ${loss}; lower the learning rates`);
    return {
      loss,
      grads: splitGradient(this.shape, params, grad, batch.batch, batch.length),
      tokens: batch.batch * batch.length,
    };
  }

  /** One AdamW update on a batch and a scheduler step; returns the batch's loss (before the update). */
  async step(rows: readonly TrainRow[]): Promise<{ loss: number; tokens: number }> {
    const { loss, grads, tokens } = await this.gradients(rows);
    const { promptTokens: m, rank: r, maxLength: s, dim: d } = this.shape;
    const named: tf.NamedTensorMap = { [PARAM_NAMES.prompt]: tf.tensor2d(grads.prompt, [m, d]) };
    if (r > 0) {
      named[PARAM_NAMES.loraA] = tf.tensor2d(grads.loraA, [s, r]);
      named[PARAM_NAMES.loraB] = tf.tensor2d(grads.loraB, [r, d]);
    }
    try {
      this.optimizer.step(named);
    } finally {
      tf.dispose(Object.values(named));
    }
    this.scheduler.step();
    return { loss, tokens };
  }

  dispose(): void {
    this.optimizer.dispose();
    tf.dispose([this.prompt, this.loraA, this.loraB].filter((v): v is tf.Variable => v !== undefined));
  }
}
