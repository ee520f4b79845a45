// DePT's and vanilla prompt tuning's settings. Source: Shi & Lipani, ICLR 2024 §3-4 and github.com/ZhengxiangShi/DePT
// (train.py, peft/tuners/prompt_tuning_lora.py): α = 8 with scaling α/√r; P at lr 3e-1, A/B at lr 1e-4…5e-3;
// AdamW eps 1e-6, weight decay 0; linear warm-up (500 steps) then linear decay; batch 32; labels as text,
// greedy decoding. Where this code differs, the comment on the field says so and why.
import { z } from '@attune/registry';

const shared = {
  /**
   * The causal LM: a zoo id or a decoder folder with onnx/model_embeds.onnx and onnx/embed_tokens.onnx. Default
   * zoo:mini-lm-t, pre-trained on the tasks' train splits under phrasings of its own (the paper's T5 had a
   * multi-task mixture too); on zoo:mini-lm prompt tuning stays at the majority class (README, Regime).
   */
  model: z.string().min(1).default('zoo:mini-lm-t'),
  /**
   * Vanilla prompt tuning's L: the budget is L·d trainable parameters (the paper: L = 100 with d = 768). Default
   * 40 here: mini-LM's context is 256 positions, and L + s + label must fit it.
   */
  budgetTokens: z.number().int().min(1).max(200).default(40),
  /**
   * s, the input length every input is padded to (the paper: 256). 'task' takes the task's own (tasks/<name>.json
   * max_length, about its 95th percentile length); a number fixes it.
   */
  maxLength: z.union([z.literal('task'), z.number().int().min(4).max(250)]).default('task'),
  /** Inputs longer than s: 'truncate' (keep BOS and the last s − 1 tokens, warn with a count) or 'error'. */
  overflow: z.enum(['truncate', 'error']).default('truncate'),
  /** Text whose token embeddings initialise P, repeated/truncated to its length (PEFT PromptTuningInit.TEXT). */
  initText: z.string().min(1).default('Read the text and answer the question with one word.'),
  /** Training steps (the paper: 30,000+ on GLUE; here tasks of ~1,000 examples on a small CPU LM). */
  steps: z.number().int().min(1).max(1_000_000).default(300),
  /** Linear warm-up steps (the paper: 500 of its longer runs; here 10 % of the default 300). */
  warmupSteps: z.number().int().min(0).default(30),
  /** Examples per step (the paper: 32). */
  batchSize: z.number().int().min(1).max(512).default(32),
  /** lr of the soft prompt P (the paper: 3e-1). */
  lrPrompt: z.number().positive().default(0.3),
  /** AdamW eps (the paper's code: 1e-6). */
  eps: z.number().positive().default(1e-6),
  /** AdamW weight decay (the paper's code: 0). */
  weightDecay: z.number().min(0).default(0),
  /**
   * How a prediction is made: 'greedy' decodes the label (DePT's code: generate, then compare strings); 'score'
   * picks the label word with the highest log-likelihood (only ever answers a label word).
   */
  predict: z.enum(['greedy', 'score']).default('greedy'),
  /** Seed of P's init text order, A's initialisation and the batch order. */
  seed: z.number().int().min(0).default(0),
  /** onnxruntime threads (1: the machines are shared). */
  threads: z.number().int().min(1).max(64).default(1),
};

/** `dept`: P (m tokens) + A [s×r] B [r×d] at the budget of L prompt tokens. */
export const deptConfig = z
  .object({
    ...shared,
    /**
     * DePT's m. 'auto' = the m nearest 0.6·L (the paper's 60 of 100) for which r = (L − m)·d/(s + d) is whole;
     * a number must meet the budget exactly (else the error names the nearest that do).
     */
    promptTokens: z.union([z.literal('auto'), z.number().int().min(0)]).default('auto'),
    /** α of the scaling α/√r (the paper: 8). */
    alpha: z.number().positive().default(8),
    /** lr of A and B (the paper's range 1e-4…5e-3; 5e-3 here, its top: far fewer steps than the paper's). */
    lrLora: z.number().positive().default(5e-3),
  })
  .strict();

/** `prompt-tuning`: vanilla prompt tuning, L soft tokens, no A·B (Lester et al. 2021, DePT's baseline). */
export const promptTuningConfig = z.object(shared).strict();

export type DeptConfig = z.output<typeof deptConfig>;
export type PromptTuningConfig = z.output<typeof promptTuningConfig>;
/** What the tuner needs from either config (prompt tuning: promptTokens = L, no A·B). */
export type TunerSettings = PromptTuningConfig & {
  readonly variant: 'dept' | 'prompt-tuning';
  readonly promptTokens: 'auto' | number;
  readonly alpha: number;
  readonly lrLora: number;
};
