/**
 * CLIP's 7-template ImageNet ensemble (github.com/openai/CLIP, notebooks/Prompt_Engineering_for_ImageNet.ipynb),
 * the one TPT and STS_Ensemble use. The shaped exports ship no ensemble_templates, so the benchmark passes it.
 */
export const CLIP_IMAGENET_ENSEMBLE = [
  'itap of a {}.',
  'a bad photo of the {}.',
  'a origami {}.',
  'a photo of the large {}.',
  'a {} in a video game.',
  'art of the {}.',
  'a photo of the small {}.',
] as const;

/** TPT's context init (ctx_init "a_photo_of_a"). */
export const TPT_INIT_TEXT = 'a photo of a';
