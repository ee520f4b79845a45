import { describe, expect, it } from 'vitest';
import {
  coreOverride,
  cosineWeightedAverage,
  gaussianWeights,
  lastLayers,
  meanShift,
  nearestNeighbours,
  type Reference,
  weightedAverage,
} from '../src/index.js';

const ref = (id: string, embedding: number[], pathway: number[]): Reference => ({
  id,
  question: id,
  answer: 'yes',
  options: ['yes', 'no'],
  embedding: Float32Array.from(embedding),
  pathway: Float32Array.from(pathway),
});

describe('neighbour search', () => {
  const refs = [
    ref('same', [1, 0, 0], [1, 0]),
    ref('near', [1, 0.6, 0], [0.8, 0.2]),
    ref('mid', [1, 1, 0], [0.5, 0.5]),
    ref('far', [0, 0, 1], [0, 1]),
  ];

  it('ranks by cosine similarity and removes references above the leakage threshold', () => {
    const n = nearestNeighbours(Float32Array.from([1, 0, 0]), refs, 2);
    expect(n.map((x) => x.reference.id)).toEqual(['near', 'mid']);
    expect(n[0]!.similarity).toBeCloseTo(1 / Math.sqrt(1.36), 6);
    expect(n[1]!.distance).toBeCloseTo(1, 6);
  });

  it('keeps the near-duplicate when the threshold allows it', () => {
    const n = nearestNeighbours(Float32Array.from([1, 0, 0]), refs, 1, 1.01);
    expect(n[0]!.reference.id).toBe('same');
  });

  it('rejects an empty reference set, a bad k and embeddings of another size', () => {
    expect(() => nearestNeighbours(Float32Array.from([1, 0, 0]), [], 3)).toThrow(/reference set is empty/);
    expect(() => nearestNeighbours(Float32Array.from([1, 0, 0]), refs, 0)).toThrow(/positive integer/);
    expect(() => nearestNeighbours(Float32Array.from([1, 0]), refs, 3)).toThrow(/another model/);
  });
});

describe('kernels and re-mixing', () => {
  it('gaussian weights use the median neighbour distance as sigma by default', () => {
    const n = [1, 2, 3].map((d, i) => ({
      reference: ref(`${i}`, [0], [1]),
      index: i,
      similarity: 0.5,
      distance: d,
    }));
    const w = gaussianWeights(n);
    expect(w[1]).toBeCloseTo(Math.exp(-0.5), 10);
    expect(w[0]).toBeCloseTo(Math.exp(-1 / 8), 10);
  });

  it('kernel regression is the normalised weighted mean', () => {
    const out = weightedAverage([Float32Array.from([1, 0]), Float32Array.from([0, 1])], [3, 1]);
    expect(Array.from(out)).toEqual([0.75, 0.25]);
    expect(() => weightedAverage([Float32Array.from([1])], [0])).toThrow(/sum to 0/);
  });

  it('mean shift moves to the dense mode, away from an outlier', () => {
    const ps = [
      [0.9, 0.1],
      [0.88, 0.12],
      [0.92, 0.08],
      [0.1, 0.9],
    ].map((p) => Float32Array.from(p));
    const mode = meanShift(ps, 50);
    const mean = weightedAverage(ps, [1, 1, 1, 1]);
    expect(mode[0]!).toBeGreaterThan(mean[0]!);
    expect(mode[0]!).toBeGreaterThan(0.85);
  });

  it("the released code's average weights by cosine similarity and renormalises per layer", () => {
    const n = [
      { reference: ref('a', [1], [0.6, 0.2, 0.5, 0.5]), index: 0, similarity: 0.9, distance: 0 },
      { reference: ref('b', [1], [0.2, 0.6, 0.5, 0.5]), index: 1, similarity: 0.3, distance: 0 },
    ];
    const out = cosineWeightedAverage(n, 2);
    expect(out[0]! + out[1]!).toBeCloseTo(1, 6);
    expect(out[0]! / out[1]!).toBeCloseTo((0.9 * 0.6 + 0.3 * 0.2) / (0.9 * 0.2 + 0.3 * 0.6), 5);
  });

  it('re-mixes only the core experts of the critical layers', () => {
    const base = Float32Array.from([0.5, 0.3, 0.2, /* layer 1 */ 0.1, 0.2, 0.7]);
    const remixed = Float32Array.from([9, 9, 9, 0.6, 0.3, 0.1]);
    const out = coreOverride(base, remixed, [1], 3, 2);
    // layer 1's top-2 base experts are 2 and 1: they take the re-mixed values; expert 0 keeps 0.1
    expect(Array.from(out).map((v) => +v.toFixed(6))).toEqual([0.1, 0.3, 0.1]);
    expect(lastLayers(6, 5)).toEqual([1, 2, 3, 4, 5]);
    expect(() => lastLayers(6, 7)).toThrow(/critical layers/);
    expect(() => coreOverride(base, remixed, [1], 3, 0)).toThrow(/core experts/);
  });
});
