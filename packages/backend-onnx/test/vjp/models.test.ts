// Whole-model VJP graphs against the tfjs executor's gradients (1e-4 relative, max-norm).
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareWithTfjs, randomFloats } from './compare.js';

const ZOO = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'zoo', 'models');
const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'vjp');
const SHAPED = join(process.env.ATTUNE_CACHE_DIR ?? join(homedir(), '.cache', 'attune'), 'shaped');
const TOLERANCE = 1e-4;

function textTowerFeeds(prompts: number, length: number, width: number, seed: number) {
  const eots = Array.from({ length: prompts }, (_, i) => BigInt((3 + 5 * i) % length));
  return {
    inputs_embeds: {
      dims: [prompts, length, width],
      data: randomFloats(prompts * length * width, seed, 0.5),
    },
    eot_index: { dims: [prompts], data: BigInt64Array.from(eots) },
  };
}

describe('VJP graphs of whole models match the tfjs gradient', { timeout: 60_000 }, () => {
  it('mini-CLIP text tower: d text_embeds / d inputs_embeds', async () => {
    const feeds = textTowerFeeds(3, 20, 128, 1);
    const { relative, pathOps } = await compareWithTfjs(
      join(ZOO, 'mini-clip', 'onnx', 'text_model_embeds.onnx'),
      feeds,
      ['inputs_embeds'],
      ['text_embeds'],
    );
    expect(pathOps.LayerNormalization).toBeGreaterThan(0);
    expect(relative.inputs_embeds).toBeLessThan(TOLERANCE);
  });

  it('mini-LM: d logits / d inputs_embeds (with an empty KV cache)', async () => {
    const B = 2;
    const T = 6;
    const layers = 4;
    const feeds: Record<string, { dims: number[]; data: Float32Array | BigInt64Array }> = {
      inputs_embeds: { dims: [B, T, 128], data: randomFloats(B * T * 128, 3, 0.5) },
      attention_mask: { dims: [B, T], data: BigInt64Array.from({ length: B * T }, () => 1n) },
      position_ids: { dims: [B, T], data: BigInt64Array.from({ length: B * T }, (_, i) => BigInt(i % T)) },
    };
    for (let l = 0; l < layers; l++) {
      for (const kind of ['key', 'value']) {
        feeds[`past_key_values.${l}.${kind}`] = { dims: [B, 4, 0, 32], data: new Float32Array(0) };
      }
    }
    const { relative, pathOps } = await compareWithTfjs(
      join(ZOO, 'mini-lm', 'onnx', 'model_embeds.onnx'),
      feeds,
      ['inputs_embeds'],
      ['logits'],
    );
    expect(pathOps.Split).toBeGreaterThan(0);
    expect(relative.inputs_embeds).toBeLessThan(TOLERANCE);
  });

  it('foreign-style export: torch nn.TransformerEncoder with LayerNorm decomposed', async () => {
    const feeds = { x: { dims: [2, 7, 32], data: randomFloats(2 * 7 * 32, 5) } };
    const { relative, pathOps } = await compareWithTfjs(
      join(FIXTURES, 'torch_encoder.onnx'),
      feeds,
      ['x'],
      ['y'],
    );
    expect(pathOps.ReduceMean).toBeGreaterThan(0);
    expect(pathOps.Pow ?? pathOps.Sqrt).toBeGreaterThan(0);
    expect(relative.x).toBeLessThan(TOLERANCE);
  });

  const shaped = join(SHAPED, 'clip-vit-b-32', 'onnx', 'text_model_embeds.onnx');
  // Opt-in (ATTUNE_SHAPED_TESTS=1): ~4.5 min on 2 cores, most of it the tfjs reference.
  const runShaped = process.env.ATTUNE_SHAPED_TESTS === '1' && existsSync(shaped);
  it.skipIf(!runShaped)(
    'shaped ViT-B/32 text tower (pnpm zoo:shaped; ATTUNE_SHAPED_TESTS=1)',
    async () => {
      const feeds = textTowerFeeds(1, 77, 512, 2);
      const { relative } = await compareWithTfjs(shaped, feeds, ['inputs_embeds'], ['text_embeds']);
      expect(relative.inputs_embeds).toBeLessThan(TOLERANCE);
    },
    400_000,
  );
});
