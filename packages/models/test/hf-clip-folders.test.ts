// Hugging Face-layout CLIP folders written by scripts/export_hf_clip.py from one tiny random checkpoint
// (scripts/make_hf_clip_fixtures.py): one with the legacy config ids of openai/clip-vit-base-patch32
// (bos 0, eos 2, pad 1; its text tower pools at argmax(input_ids)), one with the tokenizer's real ids (pools
// at the first eos). Both must give torch's probabilities: ids come from the tokenizer, not the config.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tf } from '@attune/tensor';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, describe, expect, it } from 'vitest';
import { type ClipVisionLanguageModel, loadVisionLanguageModel } from '../src/clip-model.js';
import { FIXTURES, maxAbsError, readFixture } from './fixtures.js';

interface Reference {
  prompts: string[];
  input_ids: number[][];
  images_hwc_u8: number[];
  text_embeds: number[][];
  image_embeds: number[][];
  probs: number[][];
  logit_scale: number;
}
const ref = readFixture<Reference>('hf-clip/reference.json');
const HF = join(FIXTURES, 'hf-clip');
const tmp = mkdtempSync(join(tmpdir(), 'attune-hf-clip-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function probabilities(model: ClipVisionLanguageModel): Promise<number[][]> {
  const size = 28 * 28 * 3;
  const pixels = tf.stack(
    [0, 1].map((i) =>
      model.preprocess({
        data: Uint8Array.from(ref.images_hwc_u8.slice(i * size, (i + 1) * size)),
        width: 28,
        height: 28,
        channels: 3,
      }),
    ),
  ) as tf.Tensor4D;
  const images = await model.encodeImages(pixels);
  const texts = await model.encodeTexts(ref.prompts);
  const probs = tf.tidy(() => tf.softmax(model.logits(images, texts)));
  const out = (await probs.array()) as number[][];
  tf.dispose([pixels, images, texts, probs]);
  return out;
}

async function load(folder: string, notices: string[] = []) {
  return loadVisionLanguageModel(folder, { threads: 1, onNotice: (m) => notices.push(m) });
}

describe('Hugging Face CLIP folders', () => {
  it('legacy config ids and real ids give the same probabilities, and they are torch’s', async () => {
    const notices: string[] = [];
    const legacy = await load(join(HF, 'legacy-ids'), notices);
    const real = await load(join(HF, 'real-ids'));
    try {
      // Ids from the tokenizer's special tokens (58/59), whatever config.json says.
      expect(legacy.tokenizer.specialIds).toEqual({ sot: 58, eot: 59, pad: 0 });
      expect(legacy.tokenizer.pooling).toBe('argmax');
      expect(real.tokenizer.pooling).toBe('first-eos');
      const ids = legacy.tokenize(ref.prompts);
      expect(Array.from(ids.ids)).toEqual(ref.input_ids.flat());
      expect(notices.join('\n')).toMatch(
        /token ids \(sot 0, eot 2, pad 1\) are not the tokenizer's .*sot 58, eot 59, pad 0.*argmax/,
      );
      const [a, b] = [await probabilities(legacy), await probabilities(real)];
      expect(maxAbsError(a.flat(), b.flat())).toBeLessThan(1e-6);
      expect(maxAbsError(a.flat(), ref.probs.flat())).toBeLessThan(1e-5);
      // Logit scale from the config (the trained value the exporter wrote), not HF's init value.
      expect(legacy.logitScale).toBeCloseTo(Math.exp(ref.logit_scale), 5);
      expect(legacy.config.logitScaleSource).toBe('config.logit_scale');
      // Preprocessing from preprocessor_config.json.
      expect(legacy.config.imageMean).toEqual([0.5, 0.45, 0.4]);
      expect(legacy.config.imageStd).toEqual([0.25, 0.26, 0.27]);
    } finally {
      await legacy.dispose();
      await real.dispose();
    }
  });

  it('the legacy ids fed as the config says would pool the wrong position (the test can fail)', async () => {
    const legacy = await load(join(HF, 'legacy-ids'));
    try {
      // [0, words..., 2, 1, 1, ...]: argmax pooling lands on a word, not on the end token.
      const row = [0, ...legacy.tokenizer.encodeText(ref.prompts[0]!), 2];
      const padded = [...row, ...Array(20 - row.length).fill(1)];
      expect(padded.indexOf(Math.max(...padded))).not.toBe(row.length - 1);
    } finally {
      await legacy.dispose();
    }
  });

  it("follows preprocessor_config.json's resample filter and refuses settings it cannot follow", async () => {
    const folder = join(tmp, 'preprocessor');
    cpSync(join(HF, 'legacy-ids'), folder, { recursive: true });
    const path = join(folder, 'preprocessor_config.json');
    const original = JSON.parse(readFileSync(path, 'utf8'));
    writeFileSync(path, JSON.stringify({ ...original, resample: 2 }));
    const model = await load(folder);
    try {
      expect(model.preprocessPlan({ width: 40, height: 30 }).note).toMatch(/bilinear/);
    } finally {
      await model.dispose();
    }
    writeFileSync(path, JSON.stringify({ ...original, size: { shortest_edge: 32 } }));
    await expect(load(folder)).rejects.toThrow(
      /resizes the shorter side to 32 and crops 28; .*expected size\.shortest_edge == crop_size/,
    );
    writeFileSync(path, JSON.stringify({ ...original, do_normalize: false }));
    await expect(load(folder)).rejects.toThrow(/do_normalize is false/);
  });

  it('a folder whose towers disagree on the embedding size is refused, naming both sizes', async () => {
    const mixed = join(tmp, 'mixed');
    cpSync(join(HF, 'legacy-ids'), mixed, { recursive: true });
    cpSync(
      join(ZOO_MODELS_DIR, 'mini-clip', 'onnx', 'vision_model.onnx'),
      join(mixed, 'onnx', 'vision_model.onnx'),
    );
    await expect(load(mixed)).rejects.toThrow(
      /the image tower gives 128-d image_embeds but the text tower gives 16-d text_embeds; expected both towers of one CLIP model/,
    );
  });
});
