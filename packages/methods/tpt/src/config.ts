// TPT's settings. Source: github.com/azshue/TPT, tpt_classification.py (argparse defaults and the released
// scripts/test_tpt.sh: -b 64, --selection_p 0.1, --tta_steps 1, --lr 5e-3, --n_ctx 4,
// --ctx_init a_photo_of_a, --seed 0; torch.optim.AdamW(prompt_learner.parameters(), lr) keeps torch's
// weight_decay 0.01 and eps 1e-8) and Shu et al., NeurIPS 2022, §4.
// Deliberate differences from the released code:
// - full float32 instead of CUDA autocast (fp16) with a GradScaler: the update is the same up to rounding;
// - the image features of the views are computed once (TPT recomputes them, without grad, every step);
// - AugMix is a switch here; TPT turns it on by dataset (fine-grained sets) — see `augmix`.
import { z } from '@attune/registry';
import { DEFAULT_CLASS_CHUNK } from './class-chunks.js';

// Upper bounds that refuse absurd sizes in the schema, with the range in the error (views 1e9 would
// otherwise fail later as a typed-array allocation): 16× the papers' 64 views; 1,000 steps (the papers: 1-4).
const MAX_VIEWS = 1024;
const MAX_STEPS = 1000;

/** The words TPT's context vectors start from (ctx_init "a_photo_of_a"). */
export const TPT_INIT_TEXT = 'a photo of a';
/** TPT's learning rate (scripts/test_tpt.sh --lr 5e-3); DiffTPT keeps it. */
export const TPT_LR = 5e-3;

export const tptFields = {
  /** The vision-language model: a zoo id ('zoo:mini-clip') or a folder with a CLIP export. */
  model: z.string().min(1).default('zoo:mini-clip'),
  /** Views per test image (TPT: batch size 64): view 0 is the image itself, the rest are augmented. */
  views: z.number().int().min(2).max(MAX_VIEWS).default(64),
  /** Fraction of views kept by confidence selection: int(64 · 0.1) = 6 lowest-entropy views. */
  selection: z.number().gt(0).max(1).default(0.1),
  /** AdamW steps on the context (TPT: 1). Steps after the first reuse the views the first one selected. */
  steps: z.number().int().min(1).max(MAX_STEPS).default(1),
  /** AdamW learning rate (TPT: 5e-3). */
  lr: z.number().positive().default(TPT_LR),
  /** AdamW's decoupled weight decay: torch.optim.AdamW's default 0.01, which TPT keeps. */
  weightDecay: z.number().min(0).default(0.01),
  /** AdamW's eps, added after the square root: torch's default 1e-8. */
  eps: z.number().positive().default(1e-8),
  /**
   * Number of learnable context vectors (TPT: 4). With an init text it must equal the text's word count,
   * which is what TPT's code uses (n_ctx = len(ctx_init.split(" "))).
   */
  nCtx: z.number().int().min(1).default(4),
  /** Words the context vectors are initialised from; '' starts from N(0, 0.02²) vectors (CoOp's random init). */
  initText: z.string().default(TPT_INIT_TEXT),
  /**
   * AugMix on the augmented views (severity 1, 3 chains of 1–3 ops). TPT switches it on for the fine-grained
   * datasets only (`augmix=len(set_id) > 1`) and uses plain crop + flip for ImageNet and its variants.
   */
  augmix: z.boolean().default(false),
  /**
   * Who resizes the random crops of the views: 'onnx' (default) = onnxruntime's antialiased Resize, several
   * times faster than JS; it matches PIL to one 8-bit level in all but ~1 value in 10^8 (0.1 % of values
   * differ by one). 'pil' = PIL's fixed-point passes in JS, bit for bit as TPT's torchvision/PIL pipeline.
   */
  viewResize: z.enum(['onnx', 'pil']).default('onnx'),
  /** Seed of the view augmentations (and of a random context init) when a call gives none (TPT: 0). */
  seed: z.number().int().min(0).default(0),
  /**
   * Prompts per pass of the text encoder. Above this many classes a step encodes the prompts in chunks
   * without the gradient tape, then back-propagates chunk by chunk: the same gradient, with memory bounded
   * by one chunk's activations instead of growing with C (TPT's code runs all C at once). 'auto': as many
   * as keep prompts × context length × width within 8 · 77 · 512 (8 for ViT-B text towers).
   */
  classChunk: z.union([z.literal('auto'), z.number().int().min(1)]).default(DEFAULT_CLASS_CHUNK),
  /**
   * Where d(loss)/d(ctx) and the passes without a gradient run: 'onnx' = onnxruntime (the text encoder's VJP
   * graph, see @attune/backend-onnx/vjp; native threads and memory); 'tfjs' = the tfjs executor; 'auto' (the
   * default) = 'onnx' when every op of the text encoder has a VJP rule, else 'tfjs'.
   */
  gradients: z.enum(['auto', 'onnx', 'tfjs']).default('auto'),
  /**
   * The prompts' sequence length. TPT's code runs every prompt at CLIP's full 77 tokens ('full'); a causal
   * text tower pooled at the end token gives the same features with the padding after the batch's last EOT
   * cut off (a TPT prompt has ~8–15 tokens), for a fraction of the work. 'auto' (the default) cuts when the
   * model was measured to ignore the padding (once per model, features equal to 1e-5) and keeps 77 tokens
   * otherwise (e.g. a foreign export that attends both ways); 'trim' cuts without measuring.
   */
  padding: z.enum(['auto', 'trim', 'full']).default('auto'),
  /**
   * tfjs backend of the differentiable text encoder: 'auto' activates the fastest installed one (tfjs-node-gpu,
   * tfjs-node, wasm, then the pure-JS cpu backend); 'current' leaves tfjs as it is.
   */
  tfjsBackend: z.enum(['auto', 'current', 'tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']).default('auto'),
};

/** Word count of an init text as TPT counts it: underscores are spaces, split on single spaces. */
export function initTextWords(initText: string): number {
  return initText.replaceAll('_', ' ').split(' ').length;
}

/**
 * Rejects an nCtx that contradicts the init text (reported at path `nCtx`): TPT would silently use the
 * init text's word count instead.
 */
export function checkContextLength(config: { nCtx: number; initText: string }, ctx: z.RefinementCtx): void {
  if (config.initText === '') return;
  const words = initTextWords(config.initText);
  if (words !== config.nCtx) {
    ctx.addIssue({
      code: 'custom',
      path: ['nCtx'],
      message: `nCtx ${config.nCtx} contradicts initText "${config.initText}" (${words} words); set nCtx to ${words} or initText to '' for a random init`,
    });
  }
}

export const tptConfig = z.object(tptFields).superRefine(checkContextLength);

export type TptConfig = z.output<typeof tptConfig>;
