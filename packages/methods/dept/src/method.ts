// The prompt tuner (DePT or vanilla prompt tuning) behind the PromptTunerMethod contract: train on a task with
// checkpoints that resume after a kill, save/load PEFT-style adapters, predict and evaluate.
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  EvaluationReport,
  LabelledText,
  PromptPrediction,
  PromptTask,
  PromptTunerMethod,
  TrainOptions,
  TrainReport,
} from '@attune/contracts';
import { createRng } from '@attune/tensor';
import { type Adapter, adapterConfigOf, loadAdapter, saveAdapter } from './adapter.js';
import { rankForBudget, validSplits } from './budget.js';
import type { TunerSettings } from './config.js';
import {
  type DeptParams,
  type DeptShape,
  embeddingUpdate,
  initDeptParams,
  trainableParameters,
} from './dept.js';
import { PromptLM } from './prompt-lm.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { encodeInput, encodeLabel, greedyDecode, scoreLabels, type TrainRow } from './sequences.js';
import { checkLabels } from './tasks.js';
import { batchIndices, type OptimizerState, PARAM_NAMES, TrainStep } from './train-step.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** What one step reports to the caller (the CLI draws loss and ETA from it). */
export interface StepInfo {
  readonly step: number;
  readonly steps: number;
  readonly loss: number;
  readonly lrs: readonly number[];
  readonly ms: number;
  readonly tokens: number;
}

export interface DeptTrainOptions extends TrainOptions {
  /** Folder for checkpoint.safetensors; with it, training resumes from the checkpoint there. */
  readonly checkpointDir?: string;
  /** Steps between checkpoints (default 50). */
  readonly checkpointEvery?: number;
  /** Steps between validation scores (the learning curve); 0 = only at the end. */
  readonly evalEvery?: number;
  /** Validation examples scored at each evalEvery (default: all). */
  readonly evalLimit?: number;
  /** Called once before the first step: where the run starts (> 0 after a resume) and where it ends. */
  readonly onStart?: (info: { readonly startStep: number; readonly steps: number }) => void;
  readonly onStep?: (info: StepInfo) => void;
  readonly onWarning?: (message: string) => void;
}

export interface DeptTrainReport extends TrainReport {
  readonly variant: 'dept' | 'prompt-tuning';
  readonly shape: DeptShape;
  /** Step the run started from (> 0 when it resumed from a checkpoint). */
  readonly resumedFrom: number;
  /** Training inputs cut to s tokens. */
  readonly truncated: number;
  /** Median ms per training step, and tokens (rows × positions) per step. */
  readonly msPerStep: number;
  readonly tokensPerStep: number;
  /** Validation accuracy at the evalEvery steps. */
  readonly curve: { step: number; accuracy: number }[];
}

/** One prediction; `truncated` (tokens dropped to fit s) only when the input was longer than s. */
export type Prediction = Omit<PromptPrediction, 'ms'> & { readonly truncated?: number };

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? s[(s.length - 1) >> 1]!
      : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** The adapter shape for a variant at an equal budget (prints nothing; callers report trainableParameters). */
export function shapeFor(settings: TunerSettings, maxLength: number, dim: number): DeptShape {
  const L = settings.budgetTokens;
  if (settings.variant === 'prompt-tuning') {
    return { promptTokens: L, rank: 0, maxLength, dim, alpha: settings.alpha };
  }
  let m: number;
  if (settings.promptTokens === 'auto') {
    const splits = validSplits({ budgetTokens: L, promptTokens: 0, maxLength, dim });
    if (splits.length === 0)
      rankForBudget({ budgetTokens: L, promptTokens: Math.round(0.6 * L), maxLength, dim });
    m = splits.sort((a, b) => Math.abs(a[0] - 0.6 * L) - Math.abs(b[0] - 0.6 * L))[0]![0];
  } else m = settings.promptTokens;
  const rank = rankForBudget({ budgetTokens: L, promptTokens: m, maxLength, dim });
  return { promptTokens: m, rank, maxLength, dim, alpha: settings.alpha };
}

export class PromptTuner implements PromptTunerMethod {
  private adapter: Adapter | undefined;
  private disposed = false;

  constructor(
    readonly lm: PromptLM,
    readonly settings: TunerSettings,
  ) {
    // Adapters and checkpoints are labelled with settings.model; an LM loaded from elsewhere would mislabel them.
    if (settings.model !== lm.source) {
      throw new Error(
        `PromptTuner: settings.model is ${settings.model} but the LM was loaded from ${lm.source}; pass model: '${lm.source}' in the settings (or load ${settings.model})`,
      );
    }
  }

  static async create(settings: TunerSettings): Promise<PromptTuner> {
    return new PromptTuner(await PromptLM.load(settings.model, { threads: settings.threads }), settings);
  }

  get variant(): string {
    return this.settings.variant;
  }

  get backend(): string {
    return this.lm.backendName;
  }

  /** The adapter in use (after train or loadAdapter). */
  get current(): Adapter | undefined {
    return this.adapter;
  }

  async train(
    task: PromptTask & { maxLength?: number },
    options: DeptTrainOptions = {},
  ): Promise<DeptTrainReport> {
    this.assertUsable();
    const started = performance.now();
    const labels = task.labels ?? [...new Set(task.train.map((e) => e.label))].sort();
    if (task.train.length === 0) throw new Error(`task ${task.name}: no training examples`);
    checkLabels(task.train, labels, `task ${task.name} train`);
    if (task.validation) checkLabels(task.validation, labels, `task ${task.name} validation`);
    const st = this.settings;
    const s = st.maxLength === 'task' ? task.maxLength : st.maxLength;
    if (s === undefined) {
      throw new Error(
        `maxLength 'task' needs a task that states its max_length (the pinned tasks do); pass a number`,
      );
    }
    const shape = shapeFor(st, s, this.lm.dim);
    let truncated = 0;
    const rows: TrainRow[] = task.train.map((e) => {
      const input = encodeInput(this.lm, e.input, s, st.overflow);
      if (input.truncated > 0) truncated++;
      return { input, label: encodeLabel(this.lm, e.label) };
    });
    if (truncated > 0) {
      options.onWarning?.(
        `${truncated} of ${rows.length} training inputs are longer than s = ${s} tokens and were truncated (BOS and the last ${s - 1} tokens kept); set overflow 'error' to refuse them`,
      );
    }
    const optimizerSettings = {
      steps: st.steps,
      batchSize: st.batchSize,
      lrPrompt: st.lrPrompt,
      lrLora: st.lrLora,
      warmupSteps: Math.min(st.warmupSteps, st.steps),
      eps: st.eps,
      weightDecay: st.weightDecay,
      seed: st.seed,
    };
    // What a checkpoint must agree with to be resumed.
    const identity = JSON.stringify({
      model: st.model,
      task: task.name,
      shape,
      optimizerSettings,
      initText: st.initText,
      variant: st.variant,
    });
    let startStep = 0;
    let losses: number[] = [];
    let initial: DeptParams;
    let optimizerState: OptimizerState | undefined;
    const checkpoint = options.checkpointDir ? join(options.checkpointDir, CHECKPOINT_FILE) : undefined;
    if (checkpoint && existsSync(checkpoint)) {
      const restored = await readCheckpoint(checkpoint, shape, identity);
      ({ step: startStep, losses, params: initial, optimizer: optimizerState } = restored);
    } else {
      const rng = createRng(st.seed).fork('init');
      const initIds = this.lm.tokenizer.encode(st.initText, false);
      initial = initDeptParams(shape, this.lm.embed(initIds), () => rng.uniform());
    }
    const trainer = new TrainStep(this.lm, shape, optimizerSettings, initial, startStep, optimizerState);
    const stepMs: number[] = [];
    let tokensPerStep = 0;
    const curve: { step: number; accuracy: number }[] = [];
    const every = options.checkpointEvery ?? 50;
    const validate = async (step: number) => {
      if (!task.validation || task.validation.length === 0) return undefined;
      this.adapter = this.adapterOf(shape, trainer.params(), task.name, labels, step);
      const examples = options.evalLimit ? task.validation.slice(0, options.evalLimit) : task.validation;
      const { accuracy } = await this.evaluate(examples);
      curve.push({ step, accuracy });
      return accuracy;
    };
    if (checkpoint) await mkdir(options.checkpointDir!, { recursive: true });
    options.onStart?.({ startStep, steps: st.steps });
    try {
      for (let step = startStep; step < st.steps; step++) {
        if (options.signal?.aborted) break;
        const t0 = performance.now();
        const batch = batchIndices(step, st.batchSize, rows.length, st.seed).map((i) => rows[i]!);
        const lrs = trainer.lrs;
        const { loss, tokens } = await trainer.step(batch);
        const ms = performance.now() - t0;
        stepMs.push(ms);
        tokensPerStep = tokens;
        losses.push(loss);
        options.onStep?.({ step: step + 1, steps: st.steps, loss, lrs, ms, tokens });
        options.onProgress?.({ stage: 'train', done: step + 1, total: st.steps });
        if (checkpoint && ((step + 1) % every === 0 || step + 1 === st.steps)) {
          await writeCheckpoint(checkpoint, trainer, step + 1, losses, identity);
        }
        if (options.evalEvery && (step + 1) % options.evalEvery === 0 && step + 1 < st.steps)
          await validate(step + 1);
      }
      const done = startStep + stepMs.length;
      this.adapter = this.adapterOf(shape, trainer.params(), task.name, labels, done);
      const validationAccuracy = await validate(done);
      return {
        variant: st.variant,
        shape,
        steps: done,
        resumedFrom: startStep,
        losses,
        ...(validationAccuracy !== undefined ? { validationAccuracy } : {}),
        trainableParameters: trainableParameters(shape),
        truncated,
        msPerStep: median(stepMs),
        tokensPerStep,
        curve,
        ms: { total: Math.round(performance.now() - started) },
      };
    } finally {
      trainer.dispose();
    }
  }

  private adapterOf(
    shape: DeptShape,
    params: DeptParams,
    task: string,
    labels: readonly string[],
    steps: number,
  ): Adapter {
    const st = this.settings;
    return {
      shape,
      params,
      config: adapterConfigOf({
        shape,
        variant: st.variant,
        model: st.model,
        layers: this.lm.config.numLayers,
        heads: this.lm.config.numHeads,
        initText: st.initText,
        task,
        labels,
        overflow: st.overflow,
        predict: st.predict,
        budgetTokens: st.budgetTokens,
        steps,
        seed: st.seed,
      }),
    };
  }

  /**
   * The frozen LM as it is (m = 0, r = 0: no soft prompt, no update), for the zero-shot accuracy reported
   * beside every trained result.
   */
  useNoAdapter(task: string, labels: readonly string[], maxLength: number): void {
    const shape: DeptShape = {
      promptTokens: 0,
      rank: 0,
      maxLength,
      dim: this.lm.dim,
      alpha: this.settings.alpha,
    };
    const empty = new Float32Array(0);
    this.adapter = this.adapterOf(shape, { prompt: empty, loraA: empty, loraB: empty }, task, labels, 0);
  }

  async saveAdapter(directory: string): Promise<void> {
    await saveAdapter(directory, this.requireAdapter());
  }

  /** Uses an adapter already in memory (e.g. another tuner's, to predict with other settings). */
  async loadAdapterFrom(adapter: Adapter): Promise<void> {
    this.assertUsable();
    if (adapter.shape.dim !== this.lm.dim) {
      throw new Error(
        `the adapter has token_dim ${adapter.shape.dim}; ${this.settings.model} has embedding width ${this.lm.dim}`,
      );
    }
    this.adapter = adapter;
  }

  async loadAdapter(directory: string): Promise<void> {
    this.assertUsable();
    this.adapter = await loadAdapter(directory, {
      source: this.settings.model,
      dim: this.lm.dim,
      contextLength: this.lm.config.contextLength,
    });
  }

  async predict(input: string): Promise<PromptPrediction & { readonly truncated?: number }> {
    const t0 = performance.now();
    const [one] = await this.predictMany([input]);
    return { ...one!, ms: Math.round((performance.now() - t0) * 100) / 100 };
  }

  /** Accuracy on labelled examples; `truncated` counts inputs longer than s (cut as in training). */
  async evaluate(examples: readonly LabelledText[]): Promise<EvaluationReport & { truncated: number }> {
    const t0 = performance.now();
    const adapter = this.requireAdapter();
    checkLabels(examples, adapter.config.attune.labels, 'evaluate');
    const out = await this.predictMany(examples.map((e) => e.input));
    const predictions = examples.map((e, i) => ({ label: e.label, prediction: out[i]!.prediction }));
    const correct = predictions.filter((p) => p.prediction === p.label).length;
    return {
      examples: examples.length,
      correct,
      accuracy: examples.length ? correct / examples.length : Number.NaN,
      predictions,
      truncated: out.filter((p) => p.truncated).length,
      ms: Math.round(performance.now() - t0),
    };
  }

  /**
   * Greedy decoding (default) or label scoring, in batches of 64. An input longer than s is cut as in
   * training (or refused, with the adapter's overflow 'error'); its prediction then carries `truncated`, the
   * number of tokens dropped, so the caller can warn (the CLI does).
   */
  async predictMany(inputs: readonly string[]): Promise<Prediction[]> {
    const { shape, params, config } = this.requireAdapter();
    const update = embeddingUpdate(shape, params);
    const labels = config.attune.labels;
    const encoded = inputs.map((text) => encodeInput(this.lm, text, shape.maxLength, config.attune.overflow));
    const out: Prediction[] = [];
    const maxNew = Math.max(...labels.map((l) => encodeLabel(this.lm, l).length)) + 1;
    for (let i = 0; i < encoded.length; i += 64) {
      const chunk = encoded.slice(i, i + 64);
      if (this.settings.predict === 'score') {
        const scores = await scoreLabels(this.lm, shape, params, update, chunk, labels);
        for (const row of scores) {
          const best = row.indexOf(Math.max(...row));
          out.push({
            prediction: labels[best]!,
            labelScores: Object.fromEntries(labels.map((l, k) => [l, row[k]!])),
          });
        }
      } else {
        const ids = await greedyDecode(this.lm, shape, params, update, chunk, maxNew);
        // DePT's post-processing: the decoded string, stripped (and compared with the label words as is). An
        // end token first decodes to '' (the tokenizer refuses an empty id list).
        for (const seq of ids)
          out.push({ prediction: seq.length > 0 ? this.lm.tokenizer.decode(seq).trim() : '' });
      }
    }
    return out.map((p, i) => (encoded[i]!.truncated > 0 ? { ...p, truncated: encoded[i]!.truncated } : p));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.lm.dispose();
  }

  private requireAdapter(): Adapter {
    this.assertUsable();
    if (!this.adapter) throw new Error('no adapter: train one or loadAdapter(<folder>) first');
    return this.adapter;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this prompt tuner has been disposed');
  }
}

/** Params, AdamW moments, step and loss history in one safetensors file (written to .tmp, then renamed). */
async function writeCheckpoint(
  path: string,
  trainer: TrainStep,
  step: number,
  losses: readonly number[],
  identity: string,
): Promise<void> {
  const p = trainer.params();
  const { promptTokens: m, rank: r, maxLength: s, dim: d } = trainer.shape;
  const shapes: Record<string, number[]> = {
    [PARAM_NAMES.prompt]: [m, d],
    [PARAM_NAMES.loraA]: [s, r],
    [PARAM_NAMES.loraB]: [r, d],
  };
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
    [PARAM_NAMES.prompt]: { shape: shapes[PARAM_NAMES.prompt]!, data: p.prompt },
  };
  if (r > 0) {
    tensors[PARAM_NAMES.loraA] = { shape: shapes[PARAM_NAMES.loraA]!, data: p.loraA };
    tensors[PARAM_NAMES.loraB] = { shape: shapes[PARAM_NAMES.loraB]!, data: p.loraB };
  }
  const steps: Record<string, number> = {};
  for (const [name, st] of Object.entries(trainer.optimizerState())) {
    tensors[`optimizer.${name}.exp_avg`] = { shape: shapes[name]!, data: st.expAvg };
    tensors[`optimizer.${name}.exp_avg_sq`] = { shape: shapes[name]!, data: st.expAvgSq };
    steps[name] = st.step;
  }
  const bytes = writeSafetensors(tensors, {
    step: String(step),
    losses: JSON.stringify(losses),
    optimizer_steps: JSON.stringify(steps),
    identity,
  });
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
}

async function readCheckpoint(
  path: string,
  shape: DeptShape,
  identity: string,
): Promise<{ step: number; losses: number[]; params: DeptParams; optimizer: OptimizerState }> {
  const { tensors, metadata } = readSafetensors(await readFile(path), path);
  if (metadata.identity !== identity) {
    throw new Error(
      `checkpoint ${path} belongs to another run (${metadata.identity}); this run is ${identity}. Use another --out folder or delete the checkpoint`,
    );
  }
  const data = (name: string) => {
    const t = tensors[name];
    if (!t) throw new Error(`checkpoint ${path}: no tensor "${name}"`);
    return t.data;
  };
  const params: DeptParams = {
    prompt: data(PARAM_NAMES.prompt),
    loraA: shape.rank > 0 ? data(PARAM_NAMES.loraA) : new Float32Array(0),
    loraB: shape.rank > 0 ? data(PARAM_NAMES.loraB) : new Float32Array(0),
  };
  const optimizer: OptimizerState = {};
  for (const [name, step] of Object.entries(
    JSON.parse(metadata.optimizer_steps ?? '{}') as Record<string, number>,
  )) {
    optimizer[name] = {
      step,
      expAvg: data(`optimizer.${name}.exp_avg`),
      expAvgSq: data(`optimizer.${name}.exp_avg_sq`),
    };
  }
  return {
    step: Number(metadata.step),
    losses: JSON.parse(metadata.losses ?? '[]') as number[],
    params,
    optimizer,
  };
}
