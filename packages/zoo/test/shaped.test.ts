import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { inspectOnnx, resolveModel, SHAPED_SPECS, shapedCacheDir, shapedModelDir } from '../src/index.js';

describe('shaped exports: names and cache location', () => {
  const empty = mkdtempSync(join(tmpdir(), 'attune-cache-'));
  afterAll(() => rmSync(empty, { recursive: true, force: true }));

  it('live under $ATTUNE_CACHE_DIR/shaped (default ~/.cache/attune/shaped)', () => {
    expect(shapedCacheDir({ ATTUNE_CACHE_DIR: empty })).toBe(join(empty, 'shaped'));
    expect(shapedCacheDir({ HOME: '/home/x' })).toMatch(/\.cache\/attune\/shaped$/);
    const b32 = shapedModelDir('clip-vit-b-32', { ATTUNE_CACHE_DIR: empty });
    expect(b32.dir).toBe(join(empty, 'shaped', 'clip-vit-b-32'));
    expect(b32.present).toBe(false);
    expect(b32.spec.patchSize).toBe(32);
  });

  it('rejects unknown names, listing the known ones', () => {
    expect(() => shapedModelDir('clip-vit-l-14')).toThrow(
      'unknown shaped export "clip-vit-l-14"; known: clip-vit-b-32, clip-vit-b-16',
    );
  });

  it('resolves only the known shaped names: a path in the name cannot leave the cache', async () => {
    for (const id of ['shaped:../../x', 'shaped:/etc', 'shaped:clip-vit-b-32/../../x', 'shaped:']) {
      await expect(resolveModel(id)).rejects.toThrow(
        `unknown shaped export ${JSON.stringify(id)}; expected one of shaped:clip-vit-b-32, shaped:clip-vit-b-16`,
      );
    }
  });

  it('tells how to create a missing export', async () => {
    const previous = process.env.ATTUNE_CACHE_DIR;
    process.env.ATTUNE_CACHE_DIR = empty;
    try {
      await expect(resolveModel('shaped:clip-vit-b-16')).rejects.toThrow(
        /shaped export "clip-vit-b-16" is not in .*; create it with `pnpm --filter @attune\/zoo zoo:shaped`/,
      );
    } finally {
      if (previous === undefined) delete process.env.ATTUNE_CACHE_DIR;
      else process.env.ATTUNE_CACHE_DIR = previous;
    }
  });
});

// These run where `pnpm zoo:shaped` has written the exports (minutes and ~1.6 GB; not in CI).
describe.each(SHAPED_SPECS.map((s) => s.name))('shaped:%s in the local cache', (name) => {
  const { spec, dir, present } = shapedModelDir(name);

  it.runIf(present)('has real CLIP layer sizes and HF input/output names', async () => {
    const model = await resolveModel(`shaped:${name}`);
    expect(model.absentOptional).toEqual([]);
    const vision = await inspectOnnx(model.files.visionModel!.path);
    expect(vision.inputs).toEqual([
      { name: 'pixel_values', elementType: 'FLOAT', shape: ['batch', 3, 224, 224] },
    ]);
    expect(vision.outputs[0]).toEqual({ name: 'image_embeds', elementType: 'FLOAT', shape: ['batch', 512] });
    // ViT-B: ~87-88M parameters in the image tower (patch 32 has more patch-embedding weights).
    expect(vision.initializerElements).toBeGreaterThan(85e6);
    expect(vision.initializerElements).toBeLessThan(89e6);
    const tokens = await inspectOnnx(model.files.tokenEmbedding!.path);
    expect(tokens.initializerElements).toBe(spec.vocabSize * spec.textWidth);
    const textEmbeds = await inspectOnnx(model.files.textModelEmbeds!.path);
    expect(textEmbeds.inputs.map((i) => i.name)).toEqual(['inputs_embeds', 'eot_index']);
    expect(dir).toContain(name);
  });

  it.runIf(present)('runs: one 224x224 image -> a 512-d embedding', async () => {
    const model = await resolveModel(`shaped:${name}`);
    const s = await ort.InferenceSession.create(model.files.visionModel!.path, { intraOpNumThreads: 2 });
    const pixels = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.1), [1, 3, 224, 224]);
    const out = await s.run({ pixel_values: pixels });
    expect(out.image_embeds!.dims).toEqual([1, 512]);
    expect(Number.isFinite((out.image_embeds!.data as Float32Array)[0])).toBe(true);
    await s.release();
  });
});
