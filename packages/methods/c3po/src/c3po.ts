/**
 * C3PO on an MoE LM: for a test question, find its neighbours among correctly answered references, build a
 * re-mixed pathway from theirs, and answer with that pathway overriding the router at the last prompt
 * token on the critical layers (only the core experts re-mixed).
 *
 * Variants: kernel regression (with the α line search on the NGD surrogate
 * L(ω) = Σ K_i CE(f(x_i, ω), y_i) / Σ K_i), mode finding and the released code's cosine-weighted neighbour
 * average run on forward passes only; NGD (gradient steps on that surrogate from the base pathway) and the
 * oracle (the same steps on the test label's own loss — an upper bound, it reads the answer) take
 * d L / d ω from onnxruntime's VJP graph of the decoder (routing-gradient.ts), with the torch oracle's
 * optimiser (routing-optimiser.ts).
 */
import { readFile } from 'node:fs/promises';
import type { MoELM, OptionScores, RoutingOverride } from '@attune/models';
import { crossEntropy } from './cross-entropy.js';
import {
  checkPathway,
  coreOverride,
  cosineWeightedAverage,
  type KernelName,
  kernelWeights,
  LEAKAGE_THRESHOLD,
  lastLayers,
  meanShift,
  type Neighbour,
  nearestNeighbours,
  type Reference,
  renormaliseLayers,
  weightedAverage,
} from './remix.js';
import { RoutingGradient, type WeightedPrompt } from './routing-gradient.js';
import { optimiseRouting, type RoutingOptimizer } from './routing-optimiser.js';

export type C3poVariant = 'kernel-regression' | 'mode-finding' | 'cosine-average' | 'ngd' | 'oracle';

export const C3PO_VARIANTS: readonly C3poVariant[] = [
  'kernel-regression',
  'mode-finding',
  'cosine-average',
  'ngd',
  'oracle',
];

/** Where NGD's and the oracle's gradients come from: onnxruntime's VJP graph ('auto' picks it). */
export type C3poGradients = 'auto' | 'onnx';

export interface C3poOptions {
  readonly variant?: C3poVariant;
  /** Neighbours (paper: 3). */
  readonly k?: number;
  /** The last this many layers are re-mixed (paper: 5). */
  readonly criticalLayers?: number;
  /** Experts per critical layer re-mixed, ranked by the base router (paper: 20 of 64; default: all). */
  readonly coreExperts?: number;
  readonly kernel?: KernelName;
  /** Gaussian kernel width; default the median neighbour distance. */
  readonly sigma?: number;
  /** α values searched for kernel regression (ω = α ω_base + (1 − α) ω̂). */
  readonly alphaGrid?: readonly number[];
  readonly leakageThreshold?: number;
  /** NGD / oracle gradient steps (paper: 10). */
  readonly steps?: number;
  /** NGD's cosine-annealed learning rate, lrMax → lrMin (paper: 1e-2 → 1e-5). */
  readonly lrMax?: number;
  readonly lrMin?: number;
  /**
   * The oracle's peak learning rate (default 1e-1; cosine to lrMin). The oracle is an upper bound, so it
   * takes the step at which it saturates on zoo:mini-moe (README: 1e-2 moves a routing weight by only about
   * 0.05 in 10 steps and leaves most of the gap unseen; 3e-1 gives the same as 1e-1).
   */
  readonly oracleLrMax?: number;
  /** NGD / oracle step: Adam's normalised step (default, as the zoo card's oracle) or the plain gradient. */
  readonly optimizer?: RoutingOptimizer;
  readonly gradients?: C3poGradients;
  /**
   * Where NGD starts: the test's own base pathway (default; the torch oracle starts there too) or the
   * kernel-regression estimate ω̂ of its neighbours.
   */
  readonly ngdStart?: 'base' | 'kernel-regression';
  /** onnxruntime threads of the gradient graph. */
  readonly threads?: number;
  /** A gradient graph already built for this model (shared by several C3PO instances; not released here). */
  readonly routingGradient?: RoutingGradient;
}

export interface C3poAnswer {
  readonly base: OptionScores;
  readonly remixed: OptionScores;
  readonly neighbours: readonly Neighbour[];
  readonly layers: readonly number[];
  /** Base pathway [numLayers × numExperts]. */
  readonly routingBefore: Float32Array;
  /** The override applied [layers × numExperts]. */
  readonly routingAfter: Float32Array;
  readonly alpha: number | undefined;
  /** NGD / oracle: the loss at the start of each step. */
  readonly losses?: readonly number[];
  /** Graph calls this answer cost (each a batch of ≤ k + 1 prompts), gradient calls included. */
  readonly passes: number;
  /** Of those, forward + backward calls of the gradient graph (NGD / oracle). */
  readonly gradientPasses: number;
  readonly ms: number;
}

const DEFAULT_ALPHAS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** The oracle's default peak learning rate: where its gain saturates on zoo:mini-moe (README, step probe). */
export const ORACLE_LR_MAX = 1e-1;

/** Reads a zoo task file's references (…reference.jsonl): only correctly answered rows with pathways. */
export async function loadReferences(path: string): Promise<Reference[]> {
  const text = await readFile(path, 'utf8');
  const out: Reference[] = [];
  text
    .split('\n')
    .filter((l) => l.trim())
    .forEach((line, i) => {
      const row = JSON.parse(line) as Record<string, unknown>;
      if (!Array.isArray(row.pathway) || !Array.isArray(row.embedding)) {
        throw new Error(`${path}:${i + 1}: a reference needs "pathway" and "embedding" arrays`);
      }
      if (row.correct !== true) return;
      out.push({
        id: String(row.id),
        question: String(row.question),
        answer: String(row.answer),
        options: row.options as string[],
        pathway: Float32Array.from(row.pathway as number[]),
        embedding: Float32Array.from(row.embedding as number[]),
      });
    });
  return out;
}

/** Task rows (…eval.jsonl): question, answer, options. */
export async function loadTasks(
  path: string,
): Promise<{ id: string; question: string; answer: string; options: string[] }[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));
}

export class C3PO {
  readonly variant: C3poVariant;
  readonly k: number;
  readonly layers: readonly number[];
  readonly coreExperts: number;
  readonly kernel: KernelName;
  readonly sigma: number | undefined;
  readonly alphaGrid: readonly number[];
  readonly leakageThreshold: number;
  readonly steps: number;
  readonly lrMax: number;
  readonly lrMin: number;
  readonly oracleLrMax: number;
  readonly optimizer: RoutingOptimizer;
  readonly gradients: C3poGradients;
  readonly ngdStart: 'base' | 'kernel-regression';
  private readonly threads: number | undefined;
  private gradient: Promise<RoutingGradient> | undefined;
  private ownsGradient = true;

  constructor(
    readonly model: MoELM,
    readonly references: readonly Reference[],
    options: C3poOptions = {},
  ) {
    if (references.length === 0) {
      throw new RangeError(
        'the reference set is empty: C3PO needs correctly answered references with pathways',
      );
    }
    references.forEach((r) => {
      checkPathway(r.pathway, model.numLayers, model.numExperts, `reference ${r.id}`);
      if (r.embedding.length !== model.hiddenSize) {
        throw new RangeError(
          `reference ${r.id}: embedding has ${r.embedding.length} values, ${model.source} embeds in ${model.hiddenSize}; the references come from another model`,
        );
      }
    });
    this.variant = options.variant ?? 'kernel-regression';
    if (!C3PO_VARIANTS.includes(this.variant)) {
      throw new RangeError(
        `unknown C3PO variant ${JSON.stringify(this.variant)}; expected one of ${C3PO_VARIANTS.join(', ')}`,
      );
    }
    this.gradients = options.gradients ?? 'auto';
    if (this.gradients !== 'auto' && this.gradients !== 'onnx') {
      throw new RangeError(
        `gradients must be "auto" or "onnx" (onnxruntime's VJP graph), got ${JSON.stringify(this.gradients)}; the tfjs executor is not wired for zoo:mini-moe's routing graph`,
      );
    }
    this.steps = options.steps ?? 10;
    this.ngdStart = options.ngdStart ?? 'base';
    if (this.ngdStart !== 'base' && this.ngdStart !== 'kernel-regression') {
      throw new RangeError(
        `ngdStart must be "base" or "kernel-regression", got ${JSON.stringify(this.ngdStart)}`,
      );
    }
    this.lrMax = options.lrMax ?? 1e-2;
    this.lrMin = options.lrMin ?? 1e-5;
    this.oracleLrMax = options.oracleLrMax ?? ORACLE_LR_MAX;
    this.optimizer = options.optimizer ?? 'adam';
    this.threads = options.threads;
    if (options.routingGradient) {
      if (options.routingGradient.model !== model) {
        throw new RangeError('routingGradient was built for another model instance');
      }
      this.gradient = Promise.resolve(options.routingGradient);
      this.ownsGradient = false;
    }
    this.k = options.k ?? 3;
    this.layers = lastLayers(model.numLayers, options.criticalLayers ?? Math.min(5, model.numLayers));
    this.coreExperts = options.coreExperts ?? model.numExperts;
    this.kernel = options.kernel ?? 'gaussian';
    this.sigma = options.sigma;
    this.alphaGrid = options.alphaGrid ?? DEFAULT_ALPHAS;
    this.leakageThreshold = options.leakageThreshold ?? LEAKAGE_THRESHOLD;
  }

  private override(base: Float32Array, remixed: Float32Array): RoutingOverride {
    const E = this.model.numExperts;
    const weights = coreOverride(base, renormaliseLayers(remixed, E), this.layers, E, this.coreExperts);
    return { layers: this.layers, weights };
  }

  /** The NGD surrogate at an override: kernel-weighted CE of the neighbours' labels under the test's ω. */
  private async surrogate(
    neighbours: readonly Neighbour[],
    weights: readonly number[],
    override: RoutingOverride,
  ): Promise<number> {
    const routed = await this.model.route(
      neighbours.map((n) => this.model.promptOf(n.reference.question)),
      neighbours.map(() => override),
    );
    let loss = 0;
    let total = 0;
    neighbours.forEach((n, i) => {
      const target = this.model.optionTokens(n.reference.options)[
        n.reference.options.indexOf(n.reference.answer)
      ]!;
      loss += weights[i]! * crossEntropy(routed[i]!.lastLogits, target);
      total += weights[i]!;
    });
    return loss / total;
  }

  /** The gradient graph, built once on first use by NGD or the oracle. */
  private routingGradient(): Promise<RoutingGradient> {
    this.gradient ??= RoutingGradient.load(this.model, { threads: this.threads });
    return this.gradient;
  }

  /**
   * NGD / oracle: `steps` optimiser steps on Σ w CE over `items`, from the base pathway of the critical
   * layers, only the core experts moving. Returns the override and the losses.
   */
  private async optimise(
    base: Float32Array,
    items: readonly WeightedPrompt[],
    from: Float32Array,
    lrMax: number,
  ): Promise<{ override: RoutingOverride; losses: readonly number[] }> {
    const E = this.model.numExperts;
    const start = coreOverride(base, renormaliseLayers(from, E), this.layers, E, this.coreExperts);
    // Core entries take the marker 2 (a routing weight is ≤ 1); only they move.
    const marked = coreOverride(
      base,
      new Float32Array(base.length).fill(2),
      this.layers,
      E,
      this.coreExperts,
    );
    const trainable = Uint8Array.from(marked, (v) => (v === 2 ? 1 : 0));
    const gradient = await this.routingGradient();
    const run = await optimiseRouting((w) => gradient.lossAndGradient(items, this.layers, w), start, E, {
      steps: this.steps,
      lrMax,
      lrMin: this.lrMin,
      optimizer: this.optimizer,
      trainable: this.coreExperts < E ? trainable : undefined,
    });
    return { override: { layers: this.layers, weights: run.weights }, losses: run.losses };
  }

  private targetOf(options: readonly string[], answer: string, what: string): number {
    const index = options.indexOf(answer);
    if (index < 0) {
      throw new RangeError(
        `${what}: answer ${JSON.stringify(answer)} is not one of ${JSON.stringify(options)}`,
      );
    }
    return this.model.optionTokens(options)[index]!;
  }

  /**
   * Answers with the re-mixed routing. `label` is read by the oracle only (it optimises the test label's own
   * loss: an upper bound, not a test-time method).
   */
  async answer(question: string, options: readonly string[], label?: string): Promise<C3poAnswer> {
    const t0 = performance.now();
    const [base] = await this.model.route([this.model.promptOf(question)]);
    let passes = 1;
    const baseScores = this.model.scoreFromLogits(base!.lastLogits, options);
    const neighbours = nearestNeighbours(base!.embedding, this.references, this.k, this.leakageThreshold);
    const E = this.model.numExperts;
    let remixed: Float32Array | undefined;
    let override: RoutingOverride | undefined;
    let alpha: number | undefined;
    let losses: readonly number[] | undefined;
    let gradientPasses = 0;
    if (this.variant === 'ngd' || this.variant === 'oracle') {
      let items: WeightedPrompt[];
      let from = base!.pathway;
      if (this.variant === 'oracle') {
        if (label === undefined) {
          throw new RangeError(
            "variant 'oracle' needs the test label (it optimises the label's own loss: an upper bound, not a test-time method)",
          );
        }
        items = [
          {
            prompt: this.model.promptOf(question),
            target: this.targetOf(options, label, 'oracle label'),
            weight: 1,
          },
        ];
      } else {
        const w = kernelWeights(neighbours, this.kernel, this.sigma);
        items = neighbours.map((n, i) => ({
          prompt: this.model.promptOf(n.reference.question),
          target: this.targetOf(n.reference.options, n.reference.answer, `reference ${n.reference.id}`),
          weight: w[i]!,
        }));
        if (this.ngdStart === 'kernel-regression') {
          from = weightedAverage(
            neighbours.map((n) => n.reference.pathway),
            w,
          );
        }
      }
      const lrMax = this.variant === 'oracle' ? this.oracleLrMax : this.lrMax;
      const run = await this.optimise(base!.pathway, items, from, lrMax);
      override = run.override;
      losses = run.losses;
      gradientPasses = this.steps;
      passes += this.steps;
    } else if (this.variant === 'cosine-average') {
      remixed = cosineWeightedAverage(neighbours, E);
    } else if (this.variant === 'mode-finding') {
      remixed = meanShift(neighbours.map((n) => n.reference.pathway));
    } else {
      const w = kernelWeights(neighbours, this.kernel, this.sigma);
      const hat = weightedAverage(
        neighbours.map((n) => n.reference.pathway),
        w,
      );
      let best = Infinity;
      remixed = hat;
      for (const a of this.alphaGrid) {
        const mix = hat.map((v, i) => a * base!.pathway[i]! + (1 - a) * v);
        const loss = await this.surrogate(neighbours, w, this.override(base!.pathway, mix));
        passes++;
        if (loss < best) {
          best = loss;
          alpha = a;
          remixed = mix;
        }
      }
    }
    override ??= this.override(base!.pathway, remixed!);
    const [after] = await this.model.route([this.model.promptOf(question)], [override]);
    passes++;
    return {
      base: baseScores,
      remixed: this.model.scoreFromLogits(after!.lastLogits, options),
      neighbours,
      layers: this.layers,
      routingBefore: base!.pathway,
      routingAfter: override.weights,
      alpha,
      losses,
      passes,
      gradientPasses,
      ms: performance.now() - t0,
    };
  }

  /** Releases the gradient graph's session (NGD / oracle). */
  async dispose(): Promise<void> {
    const gradient = this.gradient;
    this.gradient = undefined;
    if (gradient && this.ownsGradient) await (await gradient).release();
  }

  /**
   * Baseline: in-context learning with the same neighbours as demonstrations (no routing change). The
   * least similar demonstrations are dropped until the prompt fits the model's context.
   */
  async iclAnswer(
    question: string,
    options: readonly string[],
  ): Promise<OptionScores & { demonstrations: number }> {
    const [base] = await this.model.route([this.model.promptOf(question)]);
    const neighbours = nearestNeighbours(base!.embedding, this.references, this.k, this.leakageThreshold);
    const target = this.model.promptOf(question);
    for (let used = neighbours.length; used >= 0; used--) {
      const demos = neighbours
        .slice(0, used)
        .map((n) => `${this.model.promptOf(n.reference.question)} ${n.reference.answer}\n\n`)
        .join('');
      if (this.model.tokenizer.encode(demos + target).length > this.model.config.contextLength) continue;
      const [routed] = await this.model.route([demos + target]);
      return { ...this.model.scoreFromLogits(routed!.lastLogits, options), demonstrations: used };
    }
    throw new RangeError(
      `the question alone does not fit ${this.model.source}'s ${this.model.config.contextLength}-token context`,
    );
  }
}
