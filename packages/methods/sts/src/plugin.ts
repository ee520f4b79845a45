import { CAPABILITY } from '@attune/contracts';
import { createVisionLanguageModel, modelEnsembleTemplates } from '@attune/models';
import { definePlugin, type PluginContext } from '@attune/registry';
import { stsConfig, stsEnsembleConfig } from './config.js';
import { StsClassifier, type TfjsBackendHandle } from './method.js';

/**
 * The tfjs backend STS's small graph (γ, the steered prototypes) runs on, from the registry's input-grad
 * provider when one is installed: so STS runs on the same backend (wasm where it loads) whatever ran before
 * it in the process, instead of whatever happened to be active (pure-JS cpu from `attune run`).
 */
async function tfjsBackendFor(
  method: string,
  context: PluginContext,
): Promise<TfjsBackendHandle | undefined> {
  if (context.registry.resolve(CAPABILITY.inputGrad).length === 0) return undefined;
  return context.registry.createByCapability<TfjsBackendHandle>(
    CAPABILITY.inputGrad,
    { requester: method },
    context,
  );
}

const version = '0.1.0';

/** STS with prototypes from the single template "a photo of a {}.". */
export const sts = definePlugin({
  name: 'sts',
  kind: 'method',
  version,
  description:
    'Spectrum-Aware Test-Time Steering (Dafnis & Metaxas, 2025): one AdamW step on a shift of the class prototypes in their top singular directions, minimising the marginal entropy of confident views; no backpropagation through the encoders.',
  config: stsConfig,
  needs: [CAPABILITY.visionLanguage],
  provides: [CAPABILITY.imageClassification, CAPABILITY.testTimeAdaptation],
  create: async (config, context) => {
    const { template, ...settings } = config;
    const model = await createVisionLanguageModel('sts', { source: config.model }, context);
    const tfjs = await tfjsBackendFor('sts', context);
    return new StsClassifier(model, settings, [template], context.seed, tfjs);
  },
});

/** STS_Ensemble: prototypes averaged over the model's template ensemble (or the templates given). */
export const stsEnsemble = definePlugin({
  name: 'sts-ensemble',
  kind: 'method',
  version,
  description:
    'STS_Ensemble (Dafnis & Metaxas, 2025): Spectrum-Aware Test-Time Steering on prototypes averaged over a prompt-template ensemble.',
  config: stsEnsembleConfig,
  needs: [CAPABILITY.visionLanguage],
  provides: [CAPABILITY.imageClassification, CAPABILITY.testTimeAdaptation],
  create: async (config, context) => {
    const { templates, ...settings } = config;
    const model = await createVisionLanguageModel('sts-ensemble', { source: config.model }, context);
    try {
      const resolved = templates.length > 0 ? templates : modelEnsembleTemplates(model);
      const tfjs = await tfjsBackendFor('sts-ensemble', context);
      return new StsClassifier(model, settings, resolved, context.seed, tfjs);
    } catch (error) {
      await model.dispose();
      throw error;
    }
  },
});

export default [sts, stsEnsemble];
