// STS's settings. Source: Dafnis & Metaxas, "Spectrum-Aware Test-Time Steering", NeurIPS 2025
// (arXiv 2511.09809), §3 and the implementation details of §4, which reuse TPT's test-time protocol
// (github.com/azshue/TPT, tpt_classification.py): 64 views, 10 % confidence selection, one AdamW step at
// lr 5e-3 with torch's defaults. The official STS code was not readable; points the paper leaves open are
// settled as docs methods.md states and are options here.
import { z } from '@attune/registry';

// Upper bounds that refuse absurd sizes in the schema, with the range in the error (views 1e9 would
// otherwise fail later as a typed-array allocation): 16× the papers' 64 views; 1,000 steps (the papers: 1-4).
const MAX_VIEWS = 1024;
const MAX_STEPS = 1000;

/** "a photo of a {}." — CLIP's and TPT's single prompt. */
export const SINGLE_TEMPLATE = 'a photo of a {}.';
/** The paper's learning rate for γ (as TPT's). */
export const STS_LR = 5e-3;

const template = z.string().refine((t) => t.includes('{}'), {
  message: 'expected a prompt template with "{}" where the class name goes',
});

/** The settings STS and STS_Ensemble share. */
const stsFields = {
  /** The vision-language model: a zoo id ('zoo:mini-clip') or a folder with a CLIP export. */
  model: z.string().min(1).default('zoo:mini-clip'),
  /** Views per test image: view 0 is the image itself, the rest RandomResizedCrop + flip (TPT's protocol). */
  views: z.number().int().min(1).max(MAX_VIEWS).default(64),
  /** Fraction of views kept by confidence selection: int(64 · 0.1) = 6 lowest-entropy views. */
  selection: z.number().gt(0).max(1).default(0.1),
  /**
   * Who resizes the random crops of the views: 'onnx' (default) = onnxruntime's antialiased Resize, several
   * times faster than JS; it matches PIL to one 8-bit level in all but ~1 value in 10^8 (0.1 % of values
   * differ by one). 'pil' = PIL's fixed-point passes in JS, bit for bit as TPT's torchvision/PIL pipeline.
   */
  viewResize: z.enum(['onnx', 'pil']).default('onnx'),
  /** AdamW steps on γ (the paper: 1). Later steps reuse the views selected before the first. */
  steps: z.number().int().min(1).max(MAX_STEPS).default(1),
  /** Learning rate of AdamW on γ (paper: 5e-3, as TPT). */
  lr: z.number().positive().default(STS_LR),
  /** AdamW's decoupled weight decay: torch.optim.AdamW's default 0.01, which STS keeps. */
  weightDecay: z.number().min(0).default(0.01),
  /** AdamW's eps, added after the square root: torch's default 1e-8. */
  eps: z.number().positive().default(1e-8),
  /**
   * Weight λ of the regulariser λ‖Bγ‖² (paper: a hyperparameter; default 0 here). With one step from
   * γ = 0 its gradient is zero, so it only matters for steps > 1.
   */
  lambda: z.number().min(0).default(0),
  /**
   * Rank k of the spectral basis: 'gavish-donoho' (the paper: singular values above ω(β)·median(s)) or a
   * fixed number of leading right singular vectors (at most min(classes, embedding size)).
   */
  rank: z.union([z.literal('gavish-donoho'), z.number().int().min(1)]).default('gavish-donoho'),
  /**
   * What is predicted from after adapting: 'view0', the un-augmented image (the paper, as TPT), or
   * 'kept-average', the mean of the kept views' logits (an option methods.md asks for).
   */
  predict: z.enum(['view0', 'kept-average']).default('view0'),
  /** Seed of the view augmentations when a call gives none (TPT's default seed 0). */
  seed: z.number().int().min(0).default(0),
};

/** `sts`: prototypes from the single template "a photo of a {}.". */
export const stsConfig = z.object({
  ...stsFields,
  /** The prompt template, "{}" standing for the class name. */
  template: template.default(SINGLE_TEMPLATE),
});

/** `sts-ensemble` (the paper's STS_Ensemble): prototypes averaged over a template ensemble. */
export const stsEnsembleConfig = z.object({
  ...stsFields,
  /**
   * The templates to average over; [] means the model's own ensemble (config.json's ensemble_templates;
   * the paper uses CLIP's 7-template ImageNet ensemble, the mini-CLIP zoo model ships 7 of its own).
   */
  templates: z.array(template).default([]),
});

export type StsConfig = z.output<typeof stsConfig>;
export type StsEnsembleConfig = z.output<typeof stsEnsembleConfig>;
/** The settings shared by both plugins, with the templates resolved. */
export type StsSettings = Omit<StsConfig, 'template'>;
export type RankRule = StsSettings['rank'];
export type PredictFrom = StsSettings['predict'];
