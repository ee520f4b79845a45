// planViews draws what augmentViews draws (without AugMix), in the same order: the same crop boxes and the
// same flips for the same seed, so a native pipeline fed the plan builds the same views.
import { describe, expect, it } from 'vitest';
import { augmentViewsWith, type CropToResize, planViews } from '../src/index.js';

/** A 3-channel ramp image: level = x (mod 256) in every channel, so a mirrored view is visible. */
function ramp(width: number, height: number) {
  const data = new Uint8Array(3 * width * height);
  for (let c = 0; c < 3; c++)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = x % 256;
  return { width, height, channels: 3, data };
}

describe('planViews', () => {
  it.each([
    [300, 200, 0],
    [200, 300, 7],
    [224, 500, 3],
  ])('%ix%i seed %i: the boxes and flips augmentViews uses', async (width, height, seed) => {
    const options = { views: 16, size: 32, seed };
    const plan = planViews(width, height, options);
    const asked: CropToResize[] = [];
    // The resize answers with a left-to-right ramp, so the flip shows in each view's first row.
    const views = await augmentViewsWith(ramp(width, height), options, async (crop) => {
      asked.push(crop);
      return ramp(crop.outWidth, crop.outHeight);
    });
    const crops = asked.filter((crop) => crop.filter === 'bilinear');
    expect(crops.map((c) => [c.width, c.height])).toEqual(plan.crops.map((c) => [c.width, c.height]));
    const plane = 32 * 32;
    plan.crops.forEach((crop, i) => {
      const firstLevel = Math.round(views.data[(i + 1) * 3 * plane]! * 255);
      expect(firstLevel).toBe(crop.flip ? 31 : 0);
    });
    expect(plan.crops.some((c) => c.flip)).toBe(true);
    expect(plan.crops.some((c) => !c.flip)).toBe(true);
    // View 0: resized only when the shorter side is not already the size, then centre-cropped.
    expect(plan.first.resize === undefined).toBe(Math.min(width, height) === 32);
    expect(asked.some((c) => c.filter === 'bicubic')).toBe(plan.first.resize !== undefined);
  });

  it('is deterministic under a seed and refuses bad options with what would be right', () => {
    expect(planViews(640, 480, { seed: 5 })).toEqual(planViews(640, 480, { seed: 5 }));
    expect(planViews(640, 480, { seed: 5 })).not.toEqual(planViews(640, 480, { seed: 6 }));
    const plan = planViews(640, 480, { views: 3, size: 224 });
    expect(plan.crops).toHaveLength(2);
    expect(plan.first).toEqual({ resize: { width: 298, height: 224 }, left: 37, top: 0 });
    expect(() => planViews(640, 480, { views: 0 })).toThrow(
      'planViews: views must be an integer >= 1, got 0',
    );
    expect(() => planViews(640, 0)).toThrow('planViews: expected positive integer image sizes, got 640x0');
    expect(() => planViews(640, 480, { size: 1.5 })).toThrow(
      'planViews: size must be an integer >= 1, got 1.5',
    );
  });
});
