import { describe, expect, it } from 'vitest';
import { clipFloorToMax, cosineLr, optimiseRouting } from '../src/index.js';

// A model-free objective: L(ω) = Σ c_i ω_i, gradient c (constant).
const linear = (c: number[]) => async (w: Float32Array) => ({
  loss: c.reduce((s, v, i) => s + v * w[i]!, 0),
  gradient: Float32Array.from(c),
});

describe('routing optimiser (the torch oracle’s step)', () => {
  it('cosine schedule runs from lrMax to lrMin', () => {
    expect(cosineLr(0, 10)).toBeCloseTo(1e-2, 12);
    expect(cosineLr(9, 10)).toBeCloseTo(1e-5, 12);
    expect(cosineLr(0, 1)).toBe(cosineLr(0, 10));
  });

  it("Adam's first step is lr·sign(g), then clamp ≥ 0 and renormalise per layer", async () => {
    const start = Float32Array.from([0.5, 0.3, 0.2, 0, 0.25, 0.25, 0.25, 0.25]);
    const run = await optimiseRouting(linear([1, -1, 0.001, 1, -2, 0, 0, 0]), start, 4, { steps: 1 });
    const step = [0.5 - 0.01, 0.3 + 0.01, 0.2 - 0.01, 0]; // the 0 entry is clamped back to 0
    const s = step.reduce((a, b) => a + b, 0);
    for (const [i, v] of step.entries()) expect(run.weights[i]).toBeCloseTo(v / s, 6);
    // Second layer: zero gradients keep their entries (m = 0); the rows still sum to 1.
    const row2 = [0.26, 0.25, 0.25, 0.25];
    const s2 = row2.reduce((a, b) => a + b, 0);
    for (const [i, v] of row2.entries()) expect(run.weights[4 + i]).toBeCloseTo(v / s2, 6);
  });

  it('plain steps move by lr·g; a trainable mask freezes entries before re-projection', async () => {
    const start = Float32Array.from([0.5, 0.5]);
    const sgd = await optimiseRouting(linear([2, -2]), start, 2, { steps: 1, optimizer: 'sgd' });
    expect(sgd.weights[0]).toBeCloseTo(0.48, 6);
    const masked = await optimiseRouting(linear([2, -2]), start, 2, {
      steps: 1,
      optimizer: 'sgd',
      trainable: Uint8Array.from([0, 1]),
    });
    expect(masked.weights[0]).toBeCloseTo(0.5 / 1.02, 6);
  });

  it('rejects bad settings with the value and the rule', async () => {
    const w = Float32Array.from([0.5, 0.5]);
    await expect(optimiseRouting(linear([1, 1]), w, 2, { steps: 0 })).rejects.toThrow(
      /steps must be a positive integer, got 0/,
    );
    await expect(optimiseRouting(linear([1, 1]), w, 2, { lrMin: 1, lrMax: 0.1 })).rejects.toThrow(
      /0 < lrMin <= lrMax/,
    );
    await expect(optimiseRouting(linear([1, 1]), w, 3)).rejects.toThrow(
      /not a whole number of 3-expert layers/,
    );
  });

  it('the override floor Clip(x, min) becomes Max; a Clip with an upper bound is refused', () => {
    expect(clipFloorToMax({ opType: 'Clip', name: 'c', input: ['x', 'lo', ''] })).toMatchObject({
      opType: 'Max',
      input: ['x', 'lo'],
    });
    expect(() => clipFloorToMax({ opType: 'Clip', name: 'c', input: ['x', 'lo', 'hi'] })).toThrow(
      /Clip node 'c' has an upper bound/,
    );
  });
});
