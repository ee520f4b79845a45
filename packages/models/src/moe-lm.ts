/**
 * A mixture-of-experts decoder LM with routing exposed (zoo:mini-moe; config model_type "attune-moe"), for
 * test-time routing methods such as C3PO. One graph call per batch of prompts gives, at each prompt's last
 * token: the next-token logits, the router softmax of every layer (the sample's *pathway*), the
 * distribution top-k was actually taken from (after any override), and the prompt's mean-pooled final
 * hidden state (the LM's own embedding of the question).
 *
 * Routing override: per layer, a weight vector over the experts that replaces the router distribution at
 * the last prompt token, before top-k (the graph clamps it to >= 1e-10 and renormalises, as the released
 * C3PO code does). `scoreOptions` uses it for the first answer token, which is where the answer of a
 * single-word task is decided.
 */
import { type OnnxSession, Tensor } from '@attune/backend-onnx';
import type { MoeLMModelConfig, ResolvedModel } from '@attune/zoo';
import { type LmLoadOptions, loadLmGraph } from './lm-graph-loader.js';
import type { LmTokenizer } from './lm-tokenizer.js';
import { padTokenRows } from './token-rows.js';

export const MOE_ROUTING_INPUTS = ['routing_override', 'routing_override_layers'] as const;
export const MOE_ROUTING_OUTPUTS = ['router_probs', 'routing_weights', 'last_hidden_state'] as const;

/** Weights for chosen layers at the last prompt token. */
export interface RoutingOverride {
  /** Layer indices (0-based), each at most once. */
  readonly layers: readonly number[];
  /** [layers.length × numExperts] row-major, finite and non-negative; each row is renormalised by the graph. */
  readonly weights: Float32Array;
}

export interface RoutedPrompt {
  /** Next-token logits at the last prompt token [vocab]. */
  readonly lastLogits: Float32Array;
  /** Router softmax at the last prompt token, every layer [numLayers × numExperts] (before any override). */
  readonly pathway: Float32Array;
  /** The distribution top-k was taken from at the last prompt token [numLayers × numExperts]. */
  readonly routingWeights: Float32Array;
  /** Mean over the prompt's tokens of the final hidden state [hiddenSize]. */
  readonly embedding: Float32Array;
}

export interface OptionScores {
  /** Logit of each option's first token at the last prompt token. */
  readonly logits: number[];
  /** Softmax over the options' logits. */
  readonly probs: number[];
  readonly choice: string;
  readonly choiceIndex: number;
}

export class MoELM {
  readonly config: MoeLMModelConfig;
  readonly numLayers: number;
  readonly numExperts: number;
  readonly topK: number;
  readonly hiddenSize: number;
  readonly numParameters: number;

  constructor(
    readonly source: string,
    readonly resolved: ResolvedModel,
    config: MoeLMModelConfig,
    private readonly session: OnnxSession,
    readonly tokenizer: LmTokenizer,
    numParameters: number,
    private readonly disposeBackend: () => Promise<void>,
  ) {
    this.config = config;
    this.numLayers = config.numLayers;
    this.numExperts = config.numExperts;
    this.topK = config.topK;
    this.hiddenSize = config.hiddenSize;
    this.numParameters = numParameters;
    const missing = [
      ...MOE_ROUTING_INPUTS.filter((n) => !session.inputNames.includes(n)).map((n) => `input ${n}`),
      ...MOE_ROUTING_OUTPUTS.filter((n) => !session.outputNames.includes(n)).map((n) => `output ${n}`),
    ];
    if (missing.length > 0) {
      throw new Error(
        `${source}: the decoder has no routing interface (missing ${missing.join(', ')}); C3PO needs an MoE ` +
          'decoder exporting router_probs and accepting routing_override (see packages/zoo/recipes/attune_recipes/moe.py)',
      );
    }
  }

  /** The prompt template's text for a question ("Question: {question}\nAnswer:"). */
  promptOf(question: string): string {
    const template = this.config.promptTemplate ?? '{question}';
    return template.replace('{question}', question);
  }

  /** Checks an override against this model's shape; the error names what is wrong. */
  checkOverride(override: RoutingOverride, what = 'routing override'): void {
    const seen = new Set<number>();
    for (const l of override.layers) {
      if (!Number.isInteger(l) || l < 0 || l >= this.numLayers) {
        throw new RangeError(`${what}: layer ${l} is not a layer index in [0, ${this.numLayers - 1}]`);
      }
      if (seen.has(l)) throw new RangeError(`${what}: layer ${l} is listed twice`);
      seen.add(l);
    }
    const expected = override.layers.length * this.numExperts;
    if (override.weights.length !== expected) {
      throw new RangeError(
        `${what}: expected ${override.layers.length} layers × ${this.numExperts} experts = ${expected} weights, got ${override.weights.length}`,
      );
    }
    for (let i = 0; i < override.weights.length; i++) {
      const w = override.weights[i]!;
      if (!Number.isFinite(w) || w < 0) {
        const layer = override.layers[Math.floor(i / this.numExperts)];
        throw new RangeError(
          `${what}: weight ${i % this.numExperts} of layer ${layer} is ${w}; routing weights must be finite and >= 0`,
        );
      }
    }
  }

  /**
   * The graph's feeds for prompts that share one set of override layers (left-padded; empty KV cache). The
   * gradient path (C3PO's NGD) runs its own graph on these. Rows without an override get uniform filler,
   * which the zero layer flags ignore.
   */
  feeds(
    prompts: readonly string[],
    overrides?: readonly (RoutingOverride | undefined)[],
  ): { feeds: Record<string, Tensor>; width: number; lengths: number[] } {
    if (prompts.length === 0) throw new RangeError('expected at least one prompt');
    if (overrides && overrides.length !== prompts.length) {
      throw new RangeError(
        `expected one override (or undefined) per prompt: ${prompts.length} prompts, ${overrides.length} overrides`,
      );
    }
    const ids = prompts.map((p) => this.tokenizer.encode(p));
    const { ids: inputIds, mask, positions, width } = padTokenRows(ids, this.config.padTokenId, 'left');
    if (width > this.config.contextLength) {
      throw new RangeError(
        `a prompt has ${width} tokens; ${this.source} reads at most ${this.config.contextLength}`,
      );
    }
    const n = prompts.length;
    const L = this.numLayers;
    const E = this.numExperts;
    // The graph takes one layer-flag vector per call.
    let key: string | undefined;
    const flags = new Float32Array(L);
    const override = new Float32Array(n * L * E).fill(1 / E);
    overrides?.forEach((o, r) => {
      if (!o) return;
      this.checkOverride(o, `routing override of prompt ${r}`);
      const k = [...o.layers].sort((a, b) => a - b).join(',');
      if (key !== undefined && k !== key) {
        throw new RangeError(
          `one graph call takes one set of override layers: prompt ${r} overrides [${k}], an earlier one [${key}]`,
        );
      }
      key = k;
      o.layers.forEach((l, j) => {
        flags[l] = 1;
        override.set(o.weights.subarray(j * E, (j + 1) * E), (r * L + l) * E);
      });
    });
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', inputIds, [n, width]),
      attention_mask: new Tensor('int64', mask, [n, width]),
      position_ids: new Tensor('int64', positions, [n, width]),
      routing_override: new Tensor('float32', override, [n, L, E]),
      routing_override_layers: new Tensor('float32', flags, [L]),
    };
    for (let i = 0; i < L; i++) {
      for (const kv of ['key', 'value']) {
        feeds[`past_key_values.${i}.${kv}`] = new Tensor('float32', new Float32Array(0), [
          n,
          this.config.numKvHeads,
          0,
          this.config.headDim,
        ]);
      }
    }
    return { feeds, width, lengths: ids.map((r) => r.length) };
  }

  /** One call for the batch: logits, pathway, routing weights and embedding at each prompt's last token. */
  async route(
    prompts: readonly string[],
    overrides?: readonly (RoutingOverride | undefined)[],
  ): Promise<RoutedPrompt[]> {
    if (prompts.length === 0) return [];
    if (overrides && overrides.length !== prompts.length) {
      throw new RangeError(
        `expected one override (or undefined) per prompt: ${prompts.length} prompts, ${overrides.length} overrides`,
      );
    }
    const L = this.numLayers;
    const E = this.numExperts;
    // A batch mixing different override layers is split into one call per layer set.
    const groups = new Map<string, number[]>();
    prompts.forEach((_, r) => {
      const o = overrides?.[r];
      const key = o ? [...o.layers].sort((a, b) => a - b).join(',') : '';
      groups.set(key, [...(groups.get(key) ?? []), r]);
    });
    const results: RoutedPrompt[] = new Array(prompts.length);
    for (const rows of groups.values()) {
      const { feeds, width, lengths } = this.feeds(
        rows.map((r) => prompts[r]!),
        rows.map((r) => overrides?.[r]),
      );
      const out = await this.session.run(feeds, ['logits', ...MOE_ROUTING_OUTPUTS]);
      const logits = out.logits!.data as Float32Array;
      const probs = out.router_probs!.data as Float32Array;
      const weights = out.routing_weights!.data as Float32Array;
      const hidden = out.last_hidden_state!.data as Float32Array;
      const V = this.config.vocabSize;
      const H = this.hiddenSize;
      rows.forEach((r, j) => {
        const lastLogits = logits.slice((j * width + width - 1) * V, (j * width + width) * V);
        const pathway = new Float32Array(L * E);
        const routingWeights = new Float32Array(L * E);
        for (let l = 0; l < L; l++) {
          const at = ((j * L + l) * width + width - 1) * E;
          pathway.set(probs.subarray(at, at + E), l * E);
          routingWeights.set(weights.subarray(at, at + E), l * E);
        }
        const embedding = new Float32Array(H);
        const length = lengths[j]!;
        for (let t = width - length; t < width; t++) {
          for (let d = 0; d < H; d++) embedding[d]! += hidden[(j * width + t) * H + d]! / length;
        }
        results[r] = { lastLogits, pathway, routingWeights, embedding };
      });
    }
    return results;
  }

  /** First token of " <option>" for each option; options must differ in their first token. */
  optionTokens(options: readonly string[]): number[] {
    if (options.length < 2) throw new RangeError(`expected at least 2 answer options, got ${options.length}`);
    const ids = options.map((o) => this.tokenizer.encode(` ${o}`, false)[0]);
    ids.forEach((id, i) => {
      if (id === undefined) throw new RangeError(`answer option ${JSON.stringify(options[i])} is empty`);
    });
    const first = new Map<number, string>();
    ids.forEach((id, i) => {
      const other = first.get(id!);
      if (other !== undefined) {
        throw new RangeError(
          `answer options ${JSON.stringify(other)} and ${JSON.stringify(options[i])} start with the same token; scoring reads the first token only`,
        );
      }
      first.set(id!, options[i]!);
    });
    return ids as number[];
  }

  /** Restricted argmax over the options' first tokens, given a routed prompt's logits. */
  scoreFromLogits(lastLogits: Float32Array, options: readonly string[]): OptionScores {
    const tokens = this.optionTokens(options);
    const logits = tokens.map((t) => lastLogits[t]!);
    const max = Math.max(...logits);
    const exps = logits.map((v) => Math.exp(v - max));
    const sum = exps.reduce((a, b) => a + b, 0);
    let choiceIndex = 0;
    logits.forEach((v, i) => {
      if (v > logits[choiceIndex]!) choiceIndex = i;
    });
    return { logits, probs: exps.map((e) => e / sum), choice: options[choiceIndex]!, choiceIndex };
  }

  async scoreOptions(
    question: string,
    options: readonly string[],
    override?: RoutingOverride,
  ): Promise<OptionScores> {
    const [routed] = await this.route([this.promptOf(question)], [override]);
    return this.scoreFromLogits(routed!.lastLogits, options);
  }

  async dispose(): Promise<void> {
    await this.disposeBackend();
  }
}

/**
 * Loads zoo:mini-moe (or an "attune-moe" folder). A plain causal LM is refused: it has no routing. Methods
 * get it through the registry ('moe-lm' model plugin, `createMoELM`), which passes the registry's onnx
 * backend as `onnx`; `threads` makes a backend of its own (scripts, tests).
 */
export async function loadMoELM(source: string, options: LmLoadOptions = {}): Promise<MoELM> {
  return loadLmGraph(
    source,
    {
      kind: 'moe-lm',
      graph: 'decoder',
      describe:
        'an MoE LM with routing outputs (config.json model_type "attune-moe", onnx/model.onnx with router_probs and routing_override), e.g. zoo:mini-moe',
    },
    options,
    (g) =>
      new MoELM(source, g.resolved, g.config, g.session, g.tokenizer, g.numParameters, () =>
        g.backend.dispose(),
      ),
  );
}
