// The page a method gets comes from the contract it provides (@attune/contracts), not from its name:
// 'image-classification' methods (ImageClassifierMethod: zeroshot, TPT, STS, DiffTPT, ...) classify an
// image; 'text-answer' methods (TextAnswerMethod: QAlign, best-of-n, ...) answer a prompt; 'expert-remix'
// methods (ExpertRemixMethod: C3PO) answer a prompt with re-mixed routing; 'prompt-tuning' methods
// (PromptTunerMethod: DePT, prompt tuning) train adapters and predict with them. A new plugin that provides
// one of these gets its page without any change here.
import {
  CAPABILITY,
  type ExpertRemixMethod,
  type ImageClassifierMethod,
  type PromptTunerMethod,
  type TextAnswerMethod,
} from '@attune/contracts';
import type { Plugin } from '@attune/registry';

export type { ClassifyResult as ClassifyOutput, RawImage } from '@attune/contracts';

export type Contract = 'image-classifier' | 'text-answer' | 'expert-remix' | 'prompt-tuning' | 'none';
export type RunnableContract = Exclude<Contract, 'none'>;

export function contractOf(plugin: Plugin): Contract {
  if (plugin.kind !== 'method') return 'none';
  if (plugin.provides.includes(CAPABILITY.imageClassification)) return 'image-classifier';
  if (plugin.provides.includes(CAPABILITY.textAnswer)) return 'text-answer';
  if (plugin.provides.includes(CAPABILITY.expertRemix)) return 'expert-remix';
  if (plugin.provides.includes(CAPABILITY.promptTuning)) return 'prompt-tuning';
  return 'none';
}

/** An image classifier whose model may say its input size (VisionLanguageModel.imageSize). */
export type ImageClassifier = ImageClassifierMethod<{ readonly imageSize?: number } | undefined>;

export function isImageClassifier(instance: unknown): instance is ImageClassifier {
  return typeof (instance as ImageClassifier | undefined)?.classify === 'function';
}

export function isTextAnswerer(instance: unknown): instance is TextAnswerMethod {
  return typeof (instance as TextAnswerMethod | undefined)?.solve === 'function';
}

export function isExpertRemixer(instance: unknown): instance is ExpertRemixMethod {
  return typeof (instance as ExpertRemixMethod | undefined)?.answer === 'function';
}

export function isPromptTuner(instance: unknown): instance is PromptTunerMethod {
  const m = instance as PromptTunerMethod | undefined;
  return (
    typeof m?.train === 'function' && typeof m.predict === 'function' && typeof m.loadAdapter === 'function'
  );
}
