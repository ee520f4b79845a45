// d L / d ω for C3PO's NGD and oracle: L = Σ_b w_b CE(f(x_b, ω), y_b) / Σ w, where ω — the override of the
// critical layers at the last prompt token — is shared by every prompt of the batch (NGD: the neighbours'
// prompts and labels under the test's ω, w = kernel weights; oracle: the test prompt and its own label).
// Gradient from onnxruntime: the decoder with the loss appended (loss-graph.ts), turned into its VJP graph
// with respect to routing_override (@attune/backend-onnx/vjp); one run gives the loss and the gradient.
import { readFile } from 'node:fs/promises';
import { Tensor } from '@attune/backend-onnx';
import { VjpSession } from '@attune/backend-onnx/vjp';
import type { MoELM } from '@attune/models';
import onnxProto from 'onnx-proto';
import { LOSS, TARGET_IDS, TARGET_WEIGHTS, withRoutingLoss } from './loss-graph.js';

export interface WeightedPrompt {
  /** The full prompt text (template applied). */
  readonly prompt: string;
  /** Vocabulary id of the label's first token. */
  readonly target: number;
  /** Kernel weight (normalised over the batch). */
  readonly weight: number;
}

export interface LossAndGradient {
  readonly loss: number;
  /** d loss / d ω, [layers × numExperts] in the order of `layers`. */
  readonly gradient: Float32Array;
}

export class RoutingGradient {
  private constructor(
    readonly model: MoELM,
    private readonly session: VjpSession,
  ) {}

  /** Builds the loss + VJP graph of the model's decoder (a few seconds for zoo:mini-moe). */
  static async load(model: MoELM, options: { threads?: number } = {}): Promise<RoutingGradient> {
    const file = model.resolved.files.decoder;
    if (!file) throw new Error(`${model.source}: no decoder graph to differentiate`);
    const forward = onnxProto.onnx.ModelProto.decode(await readFile(file.path));
    const session = await VjpSession.create(withRoutingLoss(forward), {
      wrt: ['routing_override'],
      outputs: [LOSS],
      intraOpNumThreads: options.threads ?? 1,
    });
    return new RoutingGradient(model, session);
  }

  /** Loss and gradient at ω ([layers × numExperts], finite, ≥ 0) on the given layers. */
  async lossAndGradient(
    items: readonly WeightedPrompt[],
    layers: readonly number[],
    omega: Float32Array,
  ): Promise<LossAndGradient> {
    if (items.length === 0) throw new RangeError('the routing loss needs at least one prompt');
    const total = items.reduce((s, it) => s + it.weight, 0);
    if (!(total > 0) || items.some((it) => !(it.weight >= 0))) {
      throw new RangeError(
        `kernel weights must be finite, >= 0 and not all 0; got ${items.map((it) => it.weight).join(', ')}`,
      );
    }
    const override = { layers, weights: omega };
    const { feeds, width } = this.model.feeds(
      items.map((it) => it.prompt),
      items.map(() => override),
    );
    const n = items.length;
    const targets = new BigInt64Array(n * width);
    const weights = new Float32Array(n * width);
    items.forEach((it, b) => {
      targets[b * width + width - 1] = BigInt(it.target);
      weights[b * width + width - 1] = it.weight / total;
    });
    const { grads, outputs } = await this.session.run(
      {
        ...feeds,
        [TARGET_IDS]: new Tensor('int64', targets, [n, width]),
        [TARGET_WEIGHTS]: new Tensor('float32', weights, [n, width]),
      },
      { [LOSS]: new Tensor('float32', Float32Array.of(1), []) },
    );
    const full = grads.routing_override!.data as Float32Array; // [n, L, E]
    const L = this.model.numLayers;
    const E = this.model.numExperts;
    const gradient = new Float32Array(layers.length * E);
    for (let b = 0; b < n; b++) {
      layers.forEach((l, j) => {
        for (let e = 0; e < E; e++) gradient[j * E + e]! += full[(b * L + l) * E + e]!;
      });
    }
    return { loss: (outputs[LOSS]!.data as Float32Array)[0]!, gradient };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
