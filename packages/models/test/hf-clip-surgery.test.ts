// Prompt tuning on Hugging Face-layout folders that were not exported for it (fixtures/hf-clip, one tiny
// random checkpoint written three ways): legacy-ids has no inputs_embeds entry point, so attune cuts one
// from its text_model.onnx by graph surgery, checks it, caches it and says so; combined has one model.onnx,
// split into towers. Both must compute what real-ids' exported entry point computes.
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@attune/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import { loadVisionLanguageModel } from '../src/clip-model.js';
import { surgeryCacheDir } from '../src/derived-entry-points.js';
import { assemblePromptEmbeds } from '../src/prompt-parts.js';
import { FIXTURES, maxAbsError, readFixture } from './fixtures.js';

const HF = join(FIXTURES, 'hf-clip');
const tmp = mkdtempSync(join(tmpdir(), 'attune-hf-surgery-'));
const previousCache = process.env.ATTUNE_CACHE_DIR;
process.env.ATTUNE_CACHE_DIR = join(tmp, 'cache');
afterAll(() => {
  if (previousCache === undefined) delete process.env.ATTUNE_CACHE_DIR;
  else process.env.ATTUNE_CACHE_DIR = previousCache;
  rmSync(tmp, { recursive: true, force: true });
});
const ref = readFixture<{ prompts: string[]; probs: number[][]; logit_scale: number }>(
  'hf-clip/reference.json',
);
const CLASSES = ['zero', 'seven', 'nine'];

/** Text features of TPT's prompts (context "a photo of a") through the embeds entry point, on onnxruntime. */
async function promptFeatures(folder: string, notices: string[]) {
  const model = await loadVisionLanguageModel(folder, { threads: 1, onNotice: (m) => notices.push(m) });
  try {
    const parts = await model.promptParts(CLASSES, { initText: 'a photo of a' });
    const embeds = assemblePromptEmbeds(parts, parts.ctxInit);
    const viaEmbeds = await model.encodeTextEmbedsOnnx(embeds, parts.eotIndex);
    const viaIds = await model.encodeTexts(CLASSES.map((c) => `a photo of a ${c}.`));
    const viaTfjs = model.encodeTextEmbeds(embeds, parts.eotIndex);
    const out = {
      embeds: Array.from(await viaEmbeds.data()),
      ids: Array.from(await viaIds.data()),
      tfjs: Array.from(await viaTfjs.data()),
      support: await model.onnxGradientSupport(),
    };
    tf.dispose([embeds, viaEmbeds, viaIds, viaTfjs]);
    parts.dispose();
    return out;
  } finally {
    await model.dispose();
  }
}

describe('graph surgery on Hugging Face CLIP folders', () => {
  it('cuts, checks, caches and announces an inputs_embeds entry point for a folder without one', async () => {
    const notices: string[] = [];
    const derived = await promptFeatures(join(HF, 'legacy-ids'), notices);
    expect(notices.join('\n')).toMatch(
      /text_model\.onnx has no inputs_embeds entry point: cut one by graph surgery .*matches the original to .* on 4 prompts; cached in /,
    );
    // The prompts through the cut graph = the same prompts through text_model.onnx = real-ids' exported graph.
    expect(maxAbsError(derived.embeds, derived.ids)).toBeLessThanOrEqual(1e-5);
    expect(maxAbsError(derived.tfjs, derived.ids)).toBeLessThanOrEqual(1e-4);
    const exported = await promptFeatures(join(HF, 'real-ids'), []);
    expect(maxAbsError(derived.embeds, exported.embeds)).toBeLessThanOrEqual(1e-5);
    expect(derived.support).toEqual({ supported: true, missing: [] });
    // Cached: the second load reuses the cut graph and says so.
    const again: string[] = [];
    await promptFeatures(join(HF, 'legacy-ids'), again);
    expect(again.join('\n')).toMatch(/using the inputs_embeds entry point cut from it earlier/);
    const check = JSON.parse(
      readFileSync(
        join(surgeryCacheDir(), (await import('node:fs')).readdirSync(surgeryCacheDir())[0]!, 'check.json'),
        'utf8',
      ),
    );
    expect(check.maxAbsDiff).toBeLessThanOrEqual(1e-5);
  });

  it("splits a combined model.onnx into towers: torch's probabilities, logit scale from the graph", async () => {
    const folder = join(tmp, 'combined');
    cpSync(join(HF, 'combined'), folder, { recursive: true });
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    delete config.logit_scale; // as Optimum writes it: only logit_scale_init_value
    writeFileSync(join(folder, 'config.json'), JSON.stringify(config));
    const notices: string[] = [];
    const model = await loadVisionLanguageModel(folder, { threads: 1, onNotice: (m) => notices.push(m) });
    try {
      expect(notices.join('\n')).toMatch(/is a combined CLIP model: cut its text tower .* and image tower/);
      expect(model.config.logitScaleSource).toBe('model.onnx initializer logit_scale');
      expect(model.logitScale).toBeCloseTo(Math.exp(ref.logit_scale), 4);
      const u8 = readFixture<{ images_hwc_u8: number[] }>('hf-clip/reference.json').images_hwc_u8;
      const size = 28 * 28 * 3;
      const pixels = tf.stack(
        [0, 1].map((i) =>
          model.preprocess({
            data: Uint8Array.from(u8.slice(i * size, (i + 1) * size)),
            width: 28,
            height: 28,
            channels: 3,
          }),
        ),
      ) as tf.Tensor4D;
      const images = await model.encodeImages(pixels);
      const texts = await model.encodeTexts(ref.prompts);
      const probs = tf.tidy(() => tf.softmax(model.logits(images, texts)));
      expect(maxAbsError(Array.from(await probs.data()), ref.probs.flat())).toBeLessThanOrEqual(1e-5);
      tf.dispose([pixels, images, texts, probs]);
      // Prompt tuning works on it too: the embeds entry point is cut from the cut text tower.
      const parts = await model.promptParts(CLASSES, { initText: 'a photo of a' });
      expect(parts.eotIndex.shape).toEqual([3]);
      parts.dispose();
    } finally {
      await model.dispose();
    }
  });

  it('a text tower that cannot be cut is an error naming the expected pattern', async () => {
    const folder = join(tmp, 'uncuttable');
    cpSync(join(HF, 'legacy-ids'), folder, { recursive: true });
    // A graph without input_ids (an embeds graph) in the text tower's place: it loads, but cannot be cut.
    cpSync(join(HF, 'real-ids', 'onnx', 'text_model_embeds.onnx'), join(folder, 'onnx', 'text_model.onnx'));
    const model = await loadVisionLanguageModel(folder, { threads: 1, onNotice: () => undefined });
    try {
      await expect(model.promptParts(CLASSES)).rejects.toThrow(
        /has no inputs_embeds entry point and none can be cut from it: .*no input_ids input.*expected input_ids ->/,
      );
    } finally {
      await model.dispose();
    }
    expect(existsSync(join(folder, 'onnx', 'text_model_embeds.onnx'))).toBe(false);
  });
});
