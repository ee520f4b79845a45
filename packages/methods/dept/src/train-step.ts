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

/** A trainable variable holding a copy of `values` (the temporary tensor is freed). */
function variableOf(values: Float32Array, shape: [number, number], name: string): tf.Variable {
  const initial = tf.tensor2d(values, shape);
  try {
    return tf.variable(initial, true, name);
  } finally {
    initial.dispose();
  }
}

/** tfjs variable names are global: each TrainStep's carry a unique suffix, so several may live at once. */
let instances = 0;

export class TrainStep {
  readonly prompt: tf.Variable;
  readonly loraA: tf.Variable | undefined;
  readonly loraB: tf.Variable | undefined;
  readonly optimizer: AdamW;
  private readonly scheduler: LrScheduler;
  /** The variables' actual (suffixed) names by canonical name. */
  private readonly names: Record<string, string>;

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
    const id = instances++;
    this.names = Object.fromEntries(Object.values(PARAM_NAMES).map((n) => [n, `${n}/${id}`]));
    this.prompt = variableOf(initial.prompt, [m, d], this.names[PARAM_NAMES.prompt]!);
    const groups: { params: tf.Variable[]; lr: number }[] = [
      { params: [this.prompt], lr: settings.lrPrompt },
    ];
    if (r > 0) {
      this.loraA = variableOf(initial.loraA, [s, r], this.names[PARAM_NAMES.loraA]!);
      this.loraB = variableOf(initial.loraB, [r, d], this.names[PARAM_NAMES.loraB]!);
      groups.push({ params: [this.loraA, this.loraB], lr: settings.lrLora });
    }
    this.optimizer = new AdamW(groups, {
      eps: settings.eps,
      weightDecay: settings.weightDecay,
      betas: [0.9, 0.999],
    });
    if (optimizerState) {
      this.optimizer.importState(
        Object.fromEntries(
          Object.entries(optimizerState).map(([name, st]) => [this.names[name] ?? name, st]),
        ),
      );
    }
    this.scheduler = new LrScheduler(
      this.optimizer,
      linearWarmupThenDecay({ warmupSteps: settings.warmupSteps, totalSteps: settings.steps }),
    );
    for (let i = 0; i < startStep; i++) this.scheduler.step();
  }

  /** AdamW's moments by canonical parameter name (prompt_embeddings, lora_embedding_A/B), for checkpoints. */
  optimizerState(): OptimizerState {
    return Object.fromEntries(
      Object.entries(this.optimizer.exportState()).map(([name, st]) => [name.split('/')[0]!, st]),
    );
  }

  /** Applies gradients given by canonical parameter name (the parity test feeds torch's). */
  applyGradients(grads: Readonly<Record<string, tf.Tensor>>): void {
    this.optimizer.step(
      Object.fromEntries(Object.entries(grads).map(([name, g]) => [this.names[name] ?? name, g])),
    );
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

  /**
   * The shape a batch is laid out in. `fitBatch` (vanilla prompt tuning only, r = 0: nothing depends on s then)
   * pads to the batch's own longest input instead of s — the same loss, fewer padded positions.
   */
  private batchShape(rows: readonly TrainRow[], fitBatch: boolean): DeptShape {
    if (!fitBatch) return this.shape;
    if (this.shape.rank > 0) {
      throw new Error(
        `fitBatch pads each batch to its longest input, which only vanilla prompt tuning (rank 0) allows; this adapter has rank ${this.shape.rank} (A is [s × r] over the s = ${this.shape.maxLength} positions)`,
      );
    }
    return { ...this.shape, maxLength: Math.max(...rows.map((r) => r.input.ids.length)) };
  }

  /** Loss and gradients of one batch, without updating (the parity test compares these with torch). */
  async gradients(
    rows: readonly TrainRow[],
    options: { readonly fitBatch?: boolean } = {},
  ): Promise<{ loss: number; grads: DeptParams; tokens: number }> {
    const params = this.params();
    const shape = this.batchShape(rows, options.fitBatch ?? false);
    const batch = trainBatch(this.lm, shape, params, embeddingUpdate(shape, params), rows);
    const { loss, grad } = await this.lm.lossAndGradient(batch);
    if (!Number.isFinite(loss)) throw new Error(`training loss is ${loss}; lower the learning rates`);
    return {
      loss,
      grads: splitGradient(shape, params, grad, batch.batch, batch.length),
      tokens: batch.batch * batch.length,
    };
  }

  /** One AdamW update on a batch and a scheduler step; returns the batch's loss (before the update). */
  async step(
    rows: readonly TrainRow[],
    options: { readonly fitBatch?: boolean } = {},
  ): Promise<{ loss: number; tokens: number }> {
    const { loss, grads, tokens } = await this.gradients(rows, options);
    const { promptTokens: m, rank: r, maxLength: s, dim: d } = this.shape;
    const named: tf.NamedTensorMap = { [this.names[PARAM_NAMES.prompt]!]: tf.tensor2d(grads.prompt, [m, d]) };
    if (r > 0) {
      named[this.names[PARAM_NAMES.loraA]!] = tf.tensor2d(grads.loraA, [s, r]);
      named[this.names[PARAM_NAMES.loraB]!] = tf.tensor2d(grads.loraB, [r, d]);
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
