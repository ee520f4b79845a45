// The `tpt` plugin: a CLIP image classifier that tunes its prompt context on every test image (episodic).

import { CAPABILITY } from '@attune/contracts';
import { createVisionLanguageModel } from '@attune/models';
import { definePlugin } from '@attune/registry';
import { tptConfig } from './config.js';
import { TptClassifier } from './method.js';

export const tptPlugin = definePlugin({
  name: 'tpt',
  kind: 'method',
  version: '0.1.0',
  description:
    'Test-time prompt tuning (Shu et al., NeurIPS 2022): tunes 4 context vectors on the marginal entropy of the 10% most confident of 64 augmented views, one AdamW step per image, then predicts the original view.',
  config: tptConfig,
  needs: [CAPABILITY.visionLanguage, CAPABILITY.inputGrad],
  provides: [CAPABILITY.imageClassification, CAPABILITY.testTimeAdaptation],
  create: async (config, context) => {
    // Through the registry: whichever installed plugin provides 'vision-language' loads the model.
    const model = await createVisionLanguageModel(
      'tpt',
      { source: config.model, tfjsBackend: config.tfjsBackend },
      context,
    );
    return new TptClassifier(model, config, context.seed ?? config.seed);
  },
});

export default tptPlugin;
