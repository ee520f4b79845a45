// The prompt-tuner contract (DePT, Shi & Lipani, ICLR 2024, and vanilla prompt tuning): train a small
// adapter (soft prompt, low-rank embedding update) on a labelled text task with the model frozen, save and
// load it, then predict and evaluate with it.
import type { PluginInstance, ProgressEvent } from '@attune/registry';
import type { CallOptions, StageTimings } from './results.js';

/** One labelled example; labels are text (the label words the LM produces). */
export interface LabelledText {
  readonly input: string;
  readonly label: string;
}

export interface PromptTask {
  /** The task's name, recorded in the adapter (e.g. 'sst2'). */
  readonly name: string;
  readonly train: readonly LabelledText[];
  /** Held-out examples scored during training, when given. */
  readonly validation?: readonly LabelledText[];
  /** The label words, when the task has a closed set (prediction may score each). */
  readonly labels?: readonly string[];
}

export interface TrainOptions extends CallOptions {
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Stops training between steps; the adapter keeps the last completed step. */
  readonly signal?: AbortSignal;
}

export interface TrainReport {
  readonly steps: number;
  /** Training loss per step. */
  readonly losses: number[];
  /** Validation accuracy at the end, when the task has a validation split. */
  readonly validationAccuracy?: number;
  /** Parameters trained (soft prompt plus low-rank pair). */
  readonly trainableParameters: number;
  /** Wall time per stage in milliseconds. */
  readonly ms: StageTimings;
}

export interface PromptPrediction {
  readonly prediction: string;
  /** Log-likelihood per label word, when the method scores a closed label set. */
  readonly labelScores?: Readonly<Record<string, number>>;
  readonly ms: number;
}

export interface EvaluationReport {
  readonly examples: number;
  readonly correct: number;
  readonly accuracy: number;
  readonly predictions: readonly { readonly label: string; readonly prediction: string }[];
  readonly ms: number;
}

export interface PromptTunerMethod extends PluginInstance {
  /** e.g. 'dept' or 'prompt-tuning'. */
  readonly variant: string;
  /** Where it ran, e.g. 'onnxruntime-node cpu (2 threads) + tfjs wasm'. */
  readonly backend: string;
  train(task: PromptTask, options?: TrainOptions): Promise<TrainReport>;
  /** Writes the adapter (and what it was trained on) to a folder. */
  saveAdapter(directory: string): Promise<void>;
  /** Reads an adapter written by saveAdapter; refuses one made for another model or shape. */
  loadAdapter(directory: string): Promise<void>;
  predict(input: string, options?: CallOptions): Promise<PromptPrediction>;
  evaluate(examples: readonly LabelledText[], options?: CallOptions): Promise<EvaluationReport>;
}
