// The page a method gets comes from the contract it provides (@attune/contracts), not from its name:
// 'image-classification' methods (ImageClassifierMethod: zeroshot, TPT, STS, DiffTPT, ...) classify an
// image; 'text-answer' methods (TextAnswerMethod: QAlign, best-of-n, ...) answer a prompt. A new plugin that
// provides one of these gets its page without any change here.
import { CAPABILITY, type ImageClassifierMethod, type TextAnswerMethod } from '@attune/contracts';
import type { Plugin } from '@attune/registry';

export type { ClassifyResult as ClassifyOutput, RawImage } from '@attune/contracts';

export type Contract = 'image-classifier' | 'text-answer' | 'none';

export function contractOf(plugin: Plugin): Contract {
  if (plugin.kind !== 'method') return 'none';
  if (plugin.provides.includes(CAPABILITY.imageClassification)) return 'image-classifier';
  if (plugin.provides.includes(CAPABILITY.textAnswer)) return 'text-answer';
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
