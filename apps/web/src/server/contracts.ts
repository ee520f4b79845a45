// The page a method gets comes from the contract it provides, not from its name: 'image-classification'
// methods (ImageClassifierMethod: zeroshot, TPT, STS, DiffTPT, ...) classify an image; 'text-answer'
// methods (TextAnswerMethod: QAlign, best-of-n, ...) answer a prompt. A new plugin that provides one of
// these gets its page without any change here.
import type { Plugin } from '@attune/registry';

export const IMAGE_CLASSIFICATION = 'image-classification';
export const TEXT_ANSWER = 'text-answer';

export type Contract = 'image-classifier' | 'text-answer' | 'none';

export function contractOf(plugin: Plugin): Contract {
  if (plugin.kind !== 'method') return 'none';
  if (plugin.provides.includes(IMAGE_CLASSIFICATION)) return 'image-classifier';
  if (plugin.provides.includes(TEXT_ANSWER)) return 'text-answer';
  return 'none';
}

/** The parts of ImageClassifierMethod (@attune/models) the server calls. */
export interface ImageClassifier {
  readonly backend: string;
  readonly model?: { readonly imageSize?: number };
  classify(
    input: { image: RawImage; classNames: readonly string[]; views?: unknown },
    options: { seed: number },
  ): Promise<ClassifyOutput>;
}

export interface RawImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}

export interface ClassifyOutput {
  readonly prediction: string;
  readonly index: number;
  readonly probs: number[];
  readonly top5: { label: string; prob: number }[];
  readonly adaptation: Record<string, unknown> & { ms: Record<string, number> };
}

/** The parts of TextAnswerMethod (@attune/method-qalign's contract) the server calls. */
export interface TextAnswerer {
  solve(
    input: { prompt: string },
    options: { seed: number; onProgress: (e: { stage: string; done: number; total: number }) => void },
  ): Promise<Record<string, unknown>>;
}

export function isImageClassifier(instance: unknown): instance is ImageClassifier {
  return typeof (instance as ImageClassifier | undefined)?.classify === 'function';
}

export function isTextAnswerer(instance: unknown): instance is TextAnswerer {
  return typeof (instance as TextAnswerer | undefined)?.solve === 'function';
}
