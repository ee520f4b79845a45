// The prompts a class set becomes are checked before they are encoded: over-long prompts and classes that
// tokenize identically are errors (both would give silently wrong answers), out-of-vocabulary words warn.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';

let model: ClipVisionLanguageModel;
const warnings: string[] = [];
beforeAll(async () => {
  model = await loadVisionLanguageModel('zoo:mini-clip-b', { threads: 1 });
  model.onWarning = (message) => warnings.push(message);
});
afterAll(async () => {
  await model.dispose();
});

describe('class prompt checks', () => {
  it('refuses a class whose prompt is longer than the context, naming the class and both lengths', async () => {
    const long = Array.from({ length: model.contextLength }, () => 'zero').join(' ');
    await expect(model.classPrototypes(['one', long], ['a photo of a {}.'])).rejects.toThrow(
      new RegExp(`for class "${long.slice(0, 20)}.*is \\d+ tokens.*context holds ${model.contextLength}`),
    );
  });

  it('refuses classes whose prompts tokenize to the same ids (words outside the vocabulary)', async () => {
    await expect(model.classPrototypes(['xqzv', 'wpfj', 'seven'], ['a photo of a {}.'])).rejects.toThrow(
      /classes "xqzv" and "wpfj" tokenize to the same ids.*outside the vocabulary/,
    );
  });

  it('warns once per class set about out-of-vocabulary words, and still encodes', async () => {
    warnings.length = 0;
    const prototypes = await model.classPrototypes(['seven', 'xqzv'], ['a photo of a {}.']);
    expect(prototypes.shape[0]).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/class "xqzv" has words outside the model's vocabulary/);
    await model.classPrototypes(['seven', 'xqzv'], ['a photo of a {}.']);
    expect(warnings).toHaveLength(1);
  });

  it('accepts the zoo class names silently', async () => {
    warnings.length = 0;
    await model.classPrototypes(['zero', 'one', 'two', 'trouser', 'sneaker'], ['a photo of a {}.']);
    expect(warnings).toEqual([]);
  });
});
