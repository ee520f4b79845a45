// C3PO's plugin settings. Source: Li, Li & Zhou, COLM 2025 and github.com/tianyi-lab/C3PO (k = 3, the last 5
// layers, the top-20 core experts of 64, Gaussian kernel, 10 NGD steps with cosine lr 1e-2 → 1e-5). Where this
// code differs, the comment on the field says so and why.
import { z } from '@attune/registry';

export const c3poConfig = z
  .object({
    /** The MoE LM: a zoo id or an "attune-moe" folder with router_probs / routing_override. */
    model: z.string().min(1).default('zoo:mini-moe'),
    /** The task family whose reference set (tasks/<family>.reference.jsonl) the neighbours come from. */
    family: z.string().min(1).default('sentiment'),
    /**
     * 'kernel-regression' (+ α line search), 'mode-finding', 'cosine-average' (the released code's), 'ngd'
     * (gradient steps on the neighbours' kernel-weighted loss), 'oracle' (the same on the input's own label:
     * an upper bound, it reads the answer).
     */
    variant: z
      .enum(['kernel-regression', 'mode-finding', 'cosine-average', 'ngd', 'oracle'])
      .default('kernel-regression'),
    /** Neighbours (the paper: 3). */
    k: z.number().int().min(1).max(64).default(3),
    /** The last this many layers are re-mixed (the paper: 5). */
    criticalLayers: z.number().int().min(1).default(5),
    /** Core experts per layer, by the base router; 0 = all (zoo:mini-moe has 8, the paper keeps 20 of 64). */
    coreExperts: z.number().int().min(0).default(0),
    kernel: z.enum(['gaussian', 'uniform', 'cosine']).default('gaussian'),
    /** Gaussian width; 0 = the median neighbour distance. */
    sigma: z.number().min(0).default(0),
    leakageThreshold: z.number().gt(0).max(1).default(0.95),
    /** NGD / oracle steps (the paper: 10). */
    steps: z.number().int().min(1).max(1000).default(10),
    /** NGD's cosine schedule, lrMax → lrMin (the paper's 1e-2 → 1e-5). */
    lrMax: z.number().positive().default(1e-2),
    lrMin: z.number().positive().default(1e-5),
    /** The oracle's peak lr (an upper bound: the step where its gain saturates on zoo:mini-moe; README). */
    oracleLrMax: z.number().positive().default(1e-1),
    /** Adam's normalised step with the paper's schedule (plain steps barely move zoo:mini-moe; README). */
    optimizer: z.enum(['adam', 'sgd']).default('adam'),
    /** Where NGD starts: the test's base pathway (as the torch oracle) or the kernel-regression estimate. */
    ngdStart: z.enum(['base', 'kernel-regression']).default('base'),
    /** NGD / oracle gradients: onnxruntime's VJP graph ('auto' picks it). */
    gradients: z.enum(['auto', 'onnx']).default('auto'),
    /** onnxruntime threads (1: the machines are shared). */
    threads: z.number().int().min(1).max(64).default(1),
  })
  .strict();

export type C3poConfig = z.output<typeof c3poConfig>;
