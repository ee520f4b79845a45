// The expert-remix plugin instance: C3PO over a zoo MoE LM and one family's reference set, answering with the
// ExpertRemixMethod contract (answer, base answer, each option's probability under both routings, routing
// before / after per critical layer, α, the neighbours with their questions).

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type {
  ExpertRemixMethod,
  LayerRouting,
  RemixInput,
  RemixOptions,
  RemixResult,
} from '@attune/contracts';
import { createMoELM, type MoELM } from '@attune/models';
import type { PluginContext } from '@attune/registry';
import { C3PO, loadReferences } from './c3po.js';
import type { C3poConfig } from './config.js';
import { kernelWeights } from './remix.js';

/** The oracle reads the true answer (an upper bound); other variants ignore `label`. */
export interface C3poRemixInput extends RemixInput {
  readonly label?: string;
}

function routing(rows: Float32Array, layers: readonly number[], E: number, topK: number): LayerRouting[] {
  return layers.map((layer, k) => {
    const weights = Array.from(rows.subarray(k * E, (k + 1) * E));
    const selected = weights
      .map((w, e) => [w, e] as const)
      .sort((a, b) => b[0] - a[0])
      .slice(0, topK)
      .map(([, e]) => e);
    return { layer, weights, selected };
  });
}

export class C3poRemixer implements ExpertRemixMethod {
  readonly backend: string;
  private constructor(
    readonly variant: string,
    private readonly model: MoELM,
    private readonly c3po: C3PO,
    private readonly options: readonly string[],
    threads: number,
  ) {
    this.backend = `onnxruntime-node cpu (${threads} thread${threads === 1 ? '' : 's'})${
      variant === 'ngd' || variant === 'oracle' ? ', VJP graph for the routing gradient' : ''
    }`;
  }

  /** The MoE LM comes from the registry (whichever plugin provides 'moe-lm', on the registry's backend). */
  static async create(config: C3poConfig, context: PluginContext): Promise<C3poRemixer> {
    const model = await createMoELM('c3po', { source: config.model, threads: config.threads }, context);
    try {
      const path = join(model.resolved.dir, 'tasks', `${config.family}.reference.jsonl`);
      if (!existsSync(path)) {
        throw new RangeError(
          `family: ${config.model} has no reference set ${path}; its tasks/ folder names the families`,
        );
      }
      const refs = await loadReferences(path);
      const c3po = new C3PO(model, refs, {
        variant: config.variant,
        k: config.k,
        criticalLayers: config.criticalLayers,
        coreExperts: config.coreExperts || undefined,
        kernel: config.kernel,
        sigma: config.sigma || undefined,
        leakageThreshold: config.leakageThreshold,
        steps: config.steps,
        lrMax: config.lrMax,
        lrMin: config.lrMin,
        oracleLrMax: config.oracleLrMax,
        optimizer: config.optimizer,
        gradients: config.gradients,
        ngdStart: config.ngdStart,
        threads: config.threads,
      });
      return new C3poRemixer(config.variant, model, c3po, refs[0]!.options, config.threads);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  }

  async answer(input: C3poRemixInput, options?: RemixOptions): Promise<RemixResult> {
    const choices = input.options ?? this.options;
    options?.onProgress?.({ stage: 'remix', done: 0, total: 1 });
    const out = await this.c3po.answer(input.prompt, choices, input.label);
    options?.onProgress?.({ stage: 'remix', done: 1, total: 1 });
    const E = this.model.numExperts;
    const base = new Float32Array(out.layers.length * E);
    out.layers.forEach((l, k) => {
      base.set(out.routingBefore.subarray(l * E, (l + 1) * E), k * E);
    });
    const raw =
      this.variant === 'oracle'
        ? []
        : this.variant === 'cosine-average'
          ? out.neighbours.map((n) => n.similarity)
          : this.variant === 'mode-finding'
            ? out.neighbours.map(() => 1)
            : kernelWeights(out.neighbours, this.c3po.kernel, this.c3po.sigma);
    const total = raw.reduce((a, b) => a + b, 0);
    return {
      variant: this.variant,
      answer: out.remixed.choice,
      completion: ` ${out.remixed.choice}`,
      base: { answer: out.base.choice, completion: ` ${out.base.choice}` },
      routing: {
        base: routing(base, out.layers, E, this.model.topK),
        remixed: routing(out.routingAfter, out.layers, E, this.model.topK),
      },
      ...(out.alpha !== undefined ? { alpha: out.alpha } : {}),
      probabilities: {
        base: choices.map((label, i) => ({ label, prob: out.base.probs[i]! })),
        remixed: choices.map((label, i) => ({ label, prob: out.remixed.probs[i]! })),
      },
      neighbours: raw.map((w, i) => ({
        key: out.neighbours[i]!.reference.id,
        similarity: out.neighbours[i]!.similarity,
        weight: w / total,
        question: out.neighbours[i]!.reference.question,
        answer: out.neighbours[i]!.reference.answer,
      })),
      ms: { total: out.ms },
    };
  }

  async dispose(): Promise<void> {
    await this.c3po.dispose();
    await this.model.dispose();
  }
}
