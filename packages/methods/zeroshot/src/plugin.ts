import { CAPABILITY } from '@attune/contracts';
import { createVisionLanguageModel, modelEnsembleTemplates } from '@attune/models';
import { definePlugin } from '@attune/registry';
import { zeroshotConfig, zeroshotEnsembleConfig } from './config.js';
import { ZeroShotClassifier } from './zeroshot.js';

const version = '0.1.0';

/** Zero-shot CLIP with the single template "a photo of a {}.". */
export const zeroshot = definePlugin({
  name: 'zeroshot',
  kind: 'method',
  version,
  description: 'Zero-shot CLIP classification with one prompt template ("a photo of a {}."); no adaptation.',
  config: zeroshotConfig,
  needs: [CAPABILITY.visionLanguage],
  provides: [CAPABILITY.imageClassification],
  create: async (config, context) => {
    const model = await createVisionLanguageModel('zeroshot', { source: config.model }, context);
    return new ZeroShotClassifier(model, [config.template]);
  },
});

/** Zero-shot CLIP with a template ensemble (the model's ensemble_templates unless set). */
export const zeroshotEnsemble = definePlugin({
  name: 'zeroshot-ensemble',
  kind: 'method',
  version,
  description:
    'Zero-shot CLIP classification with a prompt-template ensemble: per class, the mean of normalised text features over templates, renormalised.',
  config: zeroshotEnsembleConfig,
  needs: [CAPABILITY.visionLanguage],
  provides: [CAPABILITY.imageClassification],
  create: async (config, context) => {
    const model = await createVisionLanguageModel('zeroshot-ensemble', { source: config.model }, context);
    try {
      const templates = config.templates.length > 0 ? config.templates : modelEnsembleTemplates(model);
      return new ZeroShotClassifier(model, templates);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  },
});

export default [zeroshot, zeroshotEnsemble];
