// Zero-shot CLIP baselines (Radford et al., "Learning Transferable Visual Models From Natural Language
// Supervision", ICML 2021; github.com/openai/CLIP, notebooks/Prompt_Engineering_for_ImageNet.ipynb), the
// first rows of every test-time adaptation table (TPT, DiffTPT and STS all report them).
import { z } from '@attune/registry';

/** "a photo of a {}." — CLIP's and TPT's single prompt. */
export const SINGLE_TEMPLATE = 'a photo of a {}.';

const template = z.string().refine((t) => t.includes('{}'), {
  message: 'expected a prompt template with "{}" where the class name goes',
});

/** The vision-language model: a zoo id ('zoo:mini-clip') or a folder with a CLIP export. */
const model = z.string().min(1).default('zoo:mini-clip');

/** `zeroshot`: one template for every class. */
export const zeroshotConfig = z.object({
  model,
  /** The prompt template, "{}" standing for the class name. */
  template: template.default(SINGLE_TEMPLATE),
});

/** `zeroshot-ensemble`: per class, the mean of the normalised text features over templates, renormalised. */
export const zeroshotEnsembleConfig = z.object({
  model,
  /**
   * The templates to average over; [] means the model's own ensemble (config.json's ensemble_templates;
   * CLIP's paper uses 80 ImageNet templates, TPT/STS the 7-template subset, mini-CLIP ships 7 of its own).
   */
  templates: z.array(template).default([]),
});

export type ZeroshotConfig = z.output<typeof zeroshotConfig>;
export type ZeroshotEnsembleConfig = z.output<typeof zeroshotEnsembleConfig>;
