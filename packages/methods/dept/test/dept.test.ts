// The DePT arithmetic on its own: initialisation rules, the scaled low-rank update, and the split of
// d loss / d inputs_embeds into dP, dA, dB checked against central finite differences.
import { createRng } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import {
  composePrefix,
  type DeptParams,
  deptScaling,
  embeddingUpdate,
  initDeptParams,
  splitGradient,
} from '../src/dept.js';

const shape = { promptTokens: 3, rank: 2, maxLength: 4, dim: 5, alpha: 8 };
const rng = createRng(1);
const random = (n: number, scale = 1) => Float32Array.from({ length: n }, () => rng.normal(0, scale));

describe('DePT initialisation', () => {
  it('P repeats the init text embeddings to m rows, A ~ U(−1/√r, 1/√r), B = 0', () => {
    const init = random(2 * 5);
    const p = initDeptParams({ ...shape, promptTokens: 5, rank: 4 }, init, () => rng.uniform());
    expect(Array.from(p.prompt.subarray(0, 10))).toEqual(Array.from(init));
    expect(Array.from(p.prompt.subarray(10, 20))).toEqual(Array.from(init));
    expect(Array.from(p.prompt.subarray(20, 25))).toEqual(Array.from(init.subarray(0, 5)));
    expect(p.loraA.length).toBe(4 * 4);
    expect(Math.max(...p.loraA.map(Math.abs))).toBeLessThanOrEqual(1 / Math.sqrt(4));
    expect(Math.max(...p.loraA.map(Math.abs))).toBeGreaterThan(0.25);
    expect(p.loraB.every((b) => b === 0)).toBe(true);
  });

  it("scales A·B by α/√r (not LoRA's α/r)", () => {
    expect(deptScaling({ rank: 4, alpha: 8 })).toBe(4);
    const params: DeptParams = {
      prompt: random(15),
      loraA: Float32Array.from([1, 0, 0, 1, 1, 1, 0, 0]),
      loraB: random(10),
    };
    const u = embeddingUpdate(shape, params);
    const c = 8 / Math.sqrt(2);
    for (let j = 0; j < 5; j++) {
      expect(u[j]).toBeCloseTo(c * params.loraB[j]!, 5);
      expect(u[2 * 5 + j]).toBeCloseTo(c * (params.loraB[j]! + params.loraB[5 + j]!), 5);
      expect(u[3 * 5 + j]).toBe(0);
    }
  });
});

describe('splitGradient', () => {
  it('matches central finite differences of ⟨G, inputs_embeds(P, A, B)⟩', () => {
    const batch = 2;
    const T = shape.promptTokens + shape.maxLength + 1;
    const d = shape.dim;
    const G = random(batch * T * d);
    const inputs = [random(shape.maxLength * d), random(shape.maxLength * d)];
    const objective = (p: DeptParams): number => {
      const u = embeddingUpdate(shape, p);
      let total = 0;
      for (let b = 0; b < batch; b++) {
        const row = new Float32Array(T * d);
        composePrefix(shape, p, inputs[b]!, u, row);
        for (let i = 0; i < T * d; i++) total += G[b * T * d + i]! * row[i]!;
      }
      return total;
    };
    const params: DeptParams = { prompt: random(15), loraA: random(8, 0.5), loraB: random(10, 0.5) };
    const grads = splitGradient(shape, params, G, batch, T);
    for (const key of ['prompt', 'loraA', 'loraB'] as const) {
      for (let i = 0; i < params[key].length; i++) {
        const h = 1e-2;
        const plus = { ...params, [key]: Float32Array.from(params[key]) };
        const minus = { ...params, [key]: Float32Array.from(params[key]) };
        plus[key][i]! += h;
        minus[key][i]! -= h;
        const fd = (objective(plus) - objective(minus)) / (2 * h);
        expect(Math.abs(grads[key][i]! - fd)).toBeLessThan(2e-2 * Math.max(1, Math.abs(fd)));
      }
    }
  });

  it('refuses a gradient of the wrong size', () => {
    const params: DeptParams = { prompt: random(15), loraA: random(8), loraB: random(10) };
    expect(() => splitGradient(shape, params, new Float32Array(7), 1, 8)).toThrow(
      /expected d loss \/ d inputs_embeds \[1, T >= 7, 5\]/,
    );
  });
});
