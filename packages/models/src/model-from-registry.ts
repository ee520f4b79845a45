// The models a method runs on, created through the registry: whichever installed plugin provides the
// capability ('vision-language', 'causal-lm', ...) loads it, chosen by the registry's rule (see
// Registry.chooseProvider). Methods go through here rather than importing a loader, so a team can swap in
// another model plugin without touching the methods; these functions only check that what came back has
// the members the method will call.
import { CAPABILITY } from '@attune/contracts';
import type { PluginContext, PluginInstance } from '@attune/registry';
import type { CausalLM } from './causal-lm.js';
import type { ImageVariationModel } from './image-variation-model.js';
import type { MoELM } from './moe-lm.js';
import type { RewardModel } from './reward-model.js';
import type { VisionLanguageModel } from './vision-language-model.js';

/** Creates the provider of `capability` for `requester` and checks it has the named methods. */
async function createProvided<T>(
  requester: string,
  capability: string,
  modelConfig: Record<string, unknown>,
  context: PluginContext,
  members: readonly string[],
): Promise<T> {
  const provider = context.registry.chooseProvider(capability, { requester });
  const model = await context.registry.createByCapability<PluginInstance & Record<string, unknown>>(
    capability,
    { provider: provider.name, config: modelConfig, requester },
    context,
  );
  const missing = members.filter((m) => typeof model?.[m] !== 'function');
  if (missing.length > 0) {
    await model?.dispose?.();
    throw new Error(
      `plugin "${provider.name}" provides "${capability}" but did not create one (no ${missing.join('/')})`,
    );
  }
  return model as T;
}

/** The vision-language model a method runs on: whichever installed plugin provides 'vision-language'. */
export function createVisionLanguageModel(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<VisionLanguageModel> {
  return createProvided<VisionLanguageModel>(method, CAPABILITY.visionLanguage, modelConfig, context, [
    'encodeImages',
    'classPrototypes',
  ]);
}

/** The image-variation model: whichever installed plugin provides 'image-variation'. */
export function createImageVariationModel(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<ImageVariationModel> {
  return createProvided<ImageVariationModel>(method, CAPABILITY.imageVariation, modelConfig, context, [
    'generateVariations',
  ]);
}

/** The causal LM a method runs on: whichever installed plugin provides 'causal-lm'. */
export function createCausalLM(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<CausalLM> {
  return createProvided<CausalLM>(method, CAPABILITY.causalLm, modelConfig, context, [
    'generate',
    'tokenLogProbs',
    'encode',
    'decode',
  ]);
}

/** The reward model a method scores with: whichever installed plugin provides 'reward-model'. */
export function createRewardModel(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<RewardModel> {
  return createProvided<RewardModel>(method, CAPABILITY.rewardModel, modelConfig, context, ['score']);
}

/** The mixture-of-experts LM a routing method (C3PO) runs on: whichever installed plugin provides 'moe-lm'. */
export function createMoELM(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<MoELM> {
  return createProvided<MoELM>(method, CAPABILITY.moeLm, modelConfig, context, [
    'route',
    'scoreOptions',
    'scoreFromLogits',
    'promptOf',
  ]);
}

/** The model's ensemble templates (config.json's ensemble_templates), or a clear error when it has none. */
export function modelEnsembleTemplates(model: VisionLanguageModel): readonly string[] {
  const templates = model.config.ensembleTemplates;
  if (!templates || templates.length === 0) {
    throw new Error(
      `model ${model.source} ships no ensemble_templates in its config.json; set the "templates" option, e.g. ["a photo of a {}.", "a sketch of a {}."]`,
    );
  }
  return templates;
}
