// Synthetic class names for C = 200 / 1000 classes.
//
// The shaped exports' tokenizer is a placeholder word-level vocabulary ("w2" … "w49405"; OpenAI's BPE merges
// are not available here), so any English word becomes <|unk|> and "class 17" and "class 18" would give the
// same prompt — every prototype identical, a rank-1 basis for STS. Two distinct vocabulary words per class
// give C distinct prompts of a realistic length (ImageNet class names are 1–6 BPE tokens).

/** First vocabulary word of class i is w(FIRST_WORD + i), the second w(SECOND_WORD + i). */
export const FIRST_WORD = 1000;
export const SECOND_WORD = 30000;
/** Largest C with distinct in-vocabulary words (the placeholder vocabulary ends at w49405). */
export const MAX_SYNTHETIC_CLASSES = 49405 - SECOND_WORD;

/** C distinct class names, e.g. ["w1000 w30000", "w1001 w30001", …]. */
export function syntheticClassNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 1 || count > MAX_SYNTHETIC_CLASSES) {
    throw new Error(`class count must be an integer in [1, ${MAX_SYNTHETIC_CLASSES}], got ${count}`);
  }
  return Array.from({ length: count }, (_, i) => `w${FIRST_WORD + i} w${SECOND_WORD + i}`);
}
