// The vision-language model a method runs on, created through the registry: whichever installed plugin
// provides 'vision-language' (the 'clip' plugin of this package) loads it. Methods go through here rather
// than importing a loader, so a team can swap in another model plugin without touching the methods.
import type { PluginContext } from '@attune/registry';
import type { CausalLM } from './causal-lm.js';
import type { RewardModel } from './reward-model.js';
import type { VisionLanguageModel } from './vision-language-model.js';

export async function createVisionLanguageModel(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<VisionLanguageModel> {
  const providers = context.registry.resolve('vision-language');
  const provider = providers.find((p) => p.kind === 'model') ?? providers[0];
  if (!provider) {
    throw new Error(
      `plugin "${method}" needs a model plugin that provides "vision-language" (e.g. "clip" from @attune/models); the registry has none`,
    );
  }
  const model = (await provider.create(provider.config.parse(modelConfig), context)) as VisionLanguageModel;
  if (typeof model?.encodeImages !== 'function' || typeof model.classPrototypes !== 'function') {
    await model?.dispose?.();
    throw new Error(
      `plugin "${provider.name}" provides "vision-language" but did not create a VisionLanguageModel (no encodeImages/classPrototypes)`,
    );
  }
  return model;
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

/** The model a provider of `capability` creates, checked to have the named methods. */
async function createProvided<T>(
  method: string,
  capability: string,
  example: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
  members: readonly string[],
): Promise<T> {
  const providers = context.registry.resolve(capability);
  const provider = providers.find((p) => p.kind === 'model') ?? providers[0];
  if (!provider) {
    throw new Error(
      `plugin "${method}" needs a model plugin that provides "${capability}" (e.g. "${example}" from @attune/models); the registry has none`,
    );
  }
  const model = (await provider.create(provider.config.parse(modelConfig), context)) as Record<
    string,
    unknown
  > & {
    dispose?: () => unknown;
  };
  const missing = members.filter((m) => typeof model?.[m] !== 'function');
  if (missing.length > 0) {
    await model?.dispose?.();
    throw new Error(
      `plugin "${provider.name}" provides "${capability}" but did not create one (no ${missing.join('/')})`,
    );
  }
  return model as T;
}

/** The causal LM a method runs on: whichever installed plugin provides 'causal-lm' loads it. */
export function createCausalLM(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<CausalLM> {
  return createProvided<CausalLM>(method, 'causal-lm', 'causal-lm', modelConfig, context, [
    'generate',
    'tokenLogProbs',
    'encode',
    'decode',
  ]);
}

/** The reward model a method scores with: whichever installed plugin provides 'reward-model' loads it. */
export function createRewardModel(
  method: string,
  modelConfig: { source: string } & Record<string, unknown>,
  context: PluginContext,
): Promise<RewardModel> {
  return createProvided<RewardModel>(method, 'reward-model', 'reward-model', modelConfig, context, ['score']);
}
