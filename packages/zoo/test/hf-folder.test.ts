import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CLIP_TRAINED_LOGIT_SCALE,
  type ClipModelConfig,
  resolveModel,
  verifyModel,
  ZOO_MODELS_DIR,
} from '../src/index.js';

// A folder laid out like a Hugging Face export: towers at the top level, HF config fields
// (sizes under text_config / vision_config, no trained logit scale), preprocessor_config.json.
const src = join(ZOO_MODELS_DIR, 'mini-clip');
const dir = mkdtempSync(join(tmpdir(), 'attune-hf-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
copyFileSync(join(src, 'onnx', 'vision_model.onnx'), join(dir, 'vision_model.onnx'));
copyFileSync(join(src, 'onnx', 'text_model.onnx'), join(dir, 'text_model.onnx'));
copyFileSync(join(src, 'tokenizer.json'), join(dir, 'tokenizer.json'));
writeFileSync(
  join(dir, 'config.json'),
  JSON.stringify({
    model_type: 'clip',
    projection_dim: 128,
    logit_scale_init_value: 2.6592,
    text_config: {
      max_position_embeddings: 20,
      hidden_size: 128,
      bos_token_id: 58,
      eos_token_id: 59,
      pad_token_id: 0,
    },
    vision_config: { image_size: 28 },
  }),
);
writeFileSync(
  join(dir, 'preprocessor_config.json'),
  JSON.stringify({ image_mean: [0.5, 0.5, 0.5], image_std: [0.25, 0.25, 0.25] }),
);

describe('a Hugging Face-style CLIP export folder', () => {
  it('resolves top-level towers and reads sizes from text_config / vision_config / preprocessor_config', async () => {
    const model = await resolveModel(dir);
    expect(model.kind).toBe('clip');
    expect(model.card).toBeUndefined();
    expect(model.files.visionModel!.relativePath).toBe('vision_model.onnx');
    expect(model.files.textModel!.relativePath).toBe('text_model.onnx');
    const config = model.config as ClipModelConfig;
    expect(config.contextLength).toBe(20);
    expect(config.imageSize).toBe(28);
    expect(config.imageMean).toEqual([0.5, 0.5, 0.5]);
    expect(config.sotTokenId).toBe(58);
    expect(config.eotTokenId).toBe(59);
  });

  it("uses ln(100) for the logit scale, not HF's logit_scale_init_value (the untrained initial value)", async () => {
    const config = (await resolveModel(dir)).config as ClipModelConfig;
    expect(config.logitScale).toBe(CLIP_TRAINED_LOGIT_SCALE);
    expect(config.logitScaleExp).toBeCloseTo(100, 10);
    expect(config.logitScaleSource).toMatch(/^default/);
  });

  it('lists the optional prompt-tuning entry points it lacks', async () => {
    const model = await resolveModel(dir);
    expect(model.absentOptional.map((a) => [a.role, a.expected])).toEqual([
      ['textModelEmbeds', 'onnx/text_model_embeds.onnx'],
      ['tokenEmbedding', 'onnx/token_embedding.onnx'],
    ]);
  });

  it('verifies without a card: graphs parse and expose the HF input/output names; hashes are reported', async () => {
    const report = await verifyModel(dir);
    expect(report.ok).toBe(true);
    const vision = report.files.find((f) => f.path === 'vision_model.onnx')!;
    expect(vision.expectedSha256).toBeUndefined();
    expect(vision.actualSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(vision.inputs).toEqual(['pixel_values']);
    expect(vision.outputs).toEqual(['image_embeds']);
  });

  it('prefers onnx/ over the top level when both exist', async () => {
    mkdirSync(join(dir, 'onnx'), { recursive: true });
    copyFileSync(join(src, 'onnx', 'vision_model.onnx'), join(dir, 'onnx', 'vision_model.onnx'));
    const model = await resolveModel(dir);
    expect(model.files.visionModel!.relativePath).toBe('onnx/vision_model.onnx');
    rmSync(join(dir, 'onnx'), { recursive: true });
  });
});
