// The expert-remix contract (C3PO, Li, Li & Zhou, COLM 2025): answer a prompt with a mixture-of-experts LM
// whose routing weights at chosen layers are re-mixed from those of similar, correctly answered reference
// samples, and report the base routing next to the re-mixed one so the change can be inspected.
import type { PluginInstance, ProgressEvent } from '@attune/registry';
import type { CallOptions, LabelProbability, StageTimings } from './results.js';

/** One layer's router distribution at one position. */
export interface LayerRouting {
  /** The layer index in the LM (0-based). */
  readonly layer: number;
  /** Softmax over all the layer's experts (before top-k), in expert order. */
  readonly weights: number[];
  /** The experts top-k selected from `weights`, most weighted first. */
  readonly selected: number[];
}

/** A reference sample that contributed to the re-mixed routing. */
export interface RoutingNeighbour {
  /** The reference sample's key in its reference set. */
  readonly key: string;
  /** Embedding similarity to the prompt. */
  readonly similarity: number;
  /** Its kernel weight in the re-mix (weights sum to 1). */
  readonly weight: number;
  /** The reference's question and its (correct) answer, when the reference set keeps them. */
  readonly question?: string;
  readonly answer?: string;
}

export interface RemixInput {
  readonly prompt: string;
  /** The answer options to choose from, for methods that score a closed set (default: the reference set's). */
  readonly options?: readonly string[];
}

export interface RemixOptions extends CallOptions {
  readonly onProgress?: (event: ProgressEvent) => void;
}

export interface RemixResult {
  /** The method's variant, e.g. 'ngd', 'kernel-regression', 'mode-finding', 'oracle'. */
  readonly variant: string;
  /** The answer with the re-mixed routing (extracted from `completion`), null when none. */
  readonly answer: string | null;
  readonly completion: string;
  /** The answer and completion with the model's own routing, for comparison. */
  readonly base: { readonly answer: string | null; readonly completion: string };
  /** Routing at the re-mixed layers and position: the base router's, and the one used. */
  readonly routing: { readonly base: LayerRouting[]; readonly remixed: LayerRouting[] };
  /** The mixing weight α of the base routing (ω = α ω_base + (1 − α) ω̂), where the variant chose one. */
  readonly alpha?: number;
  /** Each option's probability with the base and the re-mixed routing, for methods that score options. */
  readonly probabilities?: {
    readonly base: readonly LabelProbability[];
    readonly remixed: readonly LabelProbability[];
  };
  /** The references the re-mix was built from, most similar first. */
  readonly neighbours: RoutingNeighbour[];
  /** Wall time per stage in milliseconds, e.g. { embed: 3, neighbours: 1, optimise: 900, generate: 120 }. */
  readonly ms: StageTimings;
}

export interface ExpertRemixMethod extends PluginInstance {
  readonly variant: string;
  /** Where it ran, e.g. 'onnxruntime-node cpu (2 threads) + tfjs wasm'. */
  readonly backend: string;
  answer(input: RemixInput, options?: RemixOptions): Promise<RemixResult>;
}
