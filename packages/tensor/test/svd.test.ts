import { beforeAll, describe, expect, it } from 'vitest';
import { type DenseMatrix, denseColumn, denseToTensor2D, type ThinSvd, tf, thinSvd } from '../src/index.js';
import { decodeFloat32, maxAbsError, maxRelativeError, readFixture } from './support/fixtures.js';
import { type PlantedRecipe, plantedLowRank } from './support/planted-matrix.js';

interface SvdReference {
  shape: [number, number];
  singularValuesTorch: number[];
  singularValuesNumpy: number[];
  vectorCount: number;
  U: string;
  V: string;
  checksum: { sum: number; sumSquares: number };
}
const fixture = readFixture<{
  planted: SvdReference & { recipe: PlantedRecipe; firstEntries: number[] };
  prototypes: SvdReference & { matrix: string };
}>('svd.json');

/** max over the first `count` columns of min(‖a − b‖∞, ‖a + b‖∞): singular vectors agree up to sign. */
function worstVectorError(ours: DenseMatrix, reference: ArrayLike<number>, count: number): number {
  let worst = 0;
  for (let j = 0; j < count; j++) {
    const a = denseColumn(ours, j);
    const b = Float64Array.from({ length: ours.rows }, (_, i) => reference[i * count + j]!);
    const same = maxAbsError(a, b);
    const flipped = maxAbsError(
      a,
      b.map((x) => -x),
    );
    worst = Math.max(worst, Math.min(same, flipped));
  }
  return worst;
}

/** ‖U diag(S) Vᵀ − M‖_F / ‖M‖_F. */
function reconstructionError(svd: ThinSvd, matrix: ArrayLike<number>, rows: number, cols: number): number {
  const k = svd.S.length;
  let err = 0;
  let norm = 0;
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let v = 0;
      for (let t = 0; t < k; t++) v += svd.U.data[i * k + t]! * svd.S[t]! * svd.V.data[j * k + t]!;
      const m = matrix[i * cols + j]!;
      err += (v - m) ** 2;
      norm += m * m;
    }
  }
  return Math.sqrt(err / norm);
}

/** max |QᵀQ − I| for a matrix with orthonormal columns. */
function orthonormalityError(q: DenseMatrix): number {
  let worst = 0;
  for (let a = 0; a < q.cols; a++) {
    for (let b = a; b < q.cols; b++) {
      let dot = 0;
      for (let i = 0; i < q.rows; i++) dot += q.data[i * q.cols + a]! * q.data[i * q.cols + b]!;
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('thinSvd on the planted rank-20 1000×512 matrix (tall)', () => {
  const ref = fixture.planted;
  let matrix: Float32Array;
  let svd: ThinSvd;
  beforeAll(() => {
    matrix = plantedLowRank(ref.recipe);
    svd = thinSvd({ data: matrix, shape: ref.shape });
  }, 60_000);

  it('rebuilds the same matrix the Python script factorised', () => {
    expect(Array.from(matrix.subarray(0, 8))).toEqual(ref.firstEntries);
    let sum = 0;
    let sumSquares = 0;
    for (const v of matrix) {
      sum += v;
      sumSquares += v * v;
    }
    expect(sum).toBeCloseTo(ref.checksum.sum, 6);
    expect(sumSquares / ref.checksum.sumSquares).toBeCloseTo(1, 12);
  });

  it('has the singular values torch and numpy compute, in descending order', () => {
    expect(svd.S).toHaveLength(512);
    expect(maxRelativeError(svd.S, ref.singularValuesTorch)).toBeLessThan(1e-9);
    expect(maxRelativeError(svd.S, ref.singularValuesNumpy)).toBeLessThan(1e-9);
    for (let i = 1; i < svd.S.length; i++) expect(svd.S[i]!).toBeLessThanOrEqual(svd.S[i - 1]!);
  });

  it('has torch’s leading singular vectors up to sign', () => {
    expect(svd.U.rows).toBe(1000);
    expect(svd.U.cols).toBe(512);
    expect(svd.V.rows).toBe(512);
    expect(svd.V.cols).toBe(512);
    expect(worstVectorError(svd.V, decodeFloat32(ref.V), ref.vectorCount)).toBeLessThan(1e-6);
    expect(worstVectorError(svd.U, decodeFloat32(ref.U), ref.vectorCount)).toBeLessThan(1e-6);
  });

  it('reconstructs the matrix with orthonormal factors', () => {
    expect(reconstructionError(svd, matrix, 1000, 512)).toBeLessThan(1e-12);
    expect(orthonormalityError(svd.V)).toBeLessThan(1e-12);
  });
});

describe('thinSvd on 20 class prototypes in 128-D (wide) and their transpose (tall)', () => {
  const ref = fixture.prototypes;
  const matrix = decodeFloat32(ref.matrix);
  const rows = Array.from({ length: 20 }, (_, i) => Array.from(matrix.subarray(i * 128, (i + 1) * 128)));

  it('matches torch for the wide matrix given as number[][]', () => {
    const svd = thinSvd(rows);
    expect(svd.S).toHaveLength(20);
    expect([svd.U.rows, svd.U.cols, svd.V.rows, svd.V.cols]).toEqual([20, 20, 128, 20]);
    expect(maxRelativeError(svd.S, ref.singularValuesTorch)).toBeLessThan(1e-9);
    expect(worstVectorError(svd.U, decodeFloat32(ref.U), 20)).toBeLessThan(1e-6);
    expect(worstVectorError(svd.V, decodeFloat32(ref.V), 20)).toBeLessThan(1e-6);
    expect(reconstructionError(svd, matrix, 20, 128)).toBeLessThan(1e-12);
    expect(orthonormalityError(svd.U)).toBeLessThan(1e-12);
    expect(orthonormalityError(svd.V)).toBeLessThan(1e-12);
  });

  it('gives the same factorisation from a tf.Tensor2D, and swaps U and V for the transpose', () => {
    const tensor = tf.tensor2d(matrix, [20, 128]);
    const fromTensor = thinSvd(tensor);
    const fromArrays = thinSvd(rows);
    expect(fromTensor.S).toEqual(fromArrays.S);
    expect(fromTensor.V.data).toEqual(fromArrays.V.data);
    const transposed = tf.transpose(tensor) as tf.Tensor2D;
    const tall = thinSvd(transposed);
    expect(maxRelativeError(tall.S, fromArrays.S)).toBeLessThan(1e-12);
    expect(worstVectorError(tall.U, fromArrays.V.data, 20)).toBeLessThan(1e-10);
    tf.dispose([tensor, transposed]);
  });

  it('fixes the sign of each pair so that V’s largest entry per column is positive', () => {
    const svd = thinSvd(rows);
    for (let j = 0; j < 20; j++) {
      const v = denseColumn(svd.V, j);
      const largest = v.reduce((best, x) => (Math.abs(x) > Math.abs(best) ? x : best), 0);
      expect(largest).toBeGreaterThan(0);
    }
  });

  it('hands the leading right singular vectors to tfjs (STS basis B = V[:, :k])', () => {
    const svd = thinSvd(rows);
    const basis = denseToTensor2D(svd.V, 5);
    expect(basis.shape).toEqual([128, 5]);
    const gram = tf.matMul(basis, basis, true, false);
    expect(maxAbsError(gram.dataSync(), tf.eye(5).dataSync())).toBeLessThan(1e-6);
    tf.dispose([basis, gram]);
    expect(() => denseToTensor2D(svd.V, 21)).toThrow('columns must be an integer in [1, 20], got 21');
  });
});

describe('thinSvd input checks', () => {
  it('names ragged rows, mismatched shapes, non-finite entries, wrong ranks and empty input', () => {
    expect(() => thinSvd([[1, 2], [3]])).toThrow(
      'expected a rectangular number[][]: row 0 has 2 entries, row 1 has 1',
    );
    expect(() => thinSvd({ data: new Float32Array(5), shape: [2, 3] })).toThrow(
      'matrix data has 5 values, but shape [2,3] needs 6',
    );
    expect(() => thinSvd([[1, Number.NaN]])).toThrow(
      'matrix entries contain NaN at index 1; expected finite numbers',
    );
    const vector = tf.tensor1d([1, 2]);
    expect(() => thinSvd(vector as unknown as tf.Tensor2D)).toThrow(
      'expected a matrix tensor [rows,cols], got [2]',
    );
    vector.dispose();
    expect(() => thinSvd([])).toThrow('expected a non-empty matrix, got [0,0]');
  });

  it('handles a rank-deficient matrix: trailing singular values are zero', () => {
    const svd = thinSvd([
      [1, 2, 3],
      [2, 4, 6],
      [1, 0, 1],
    ]);
    expect(svd.S[2]!).toBeLessThan(1e-12);
    expect(svd.S[0]!).toBeGreaterThan(svd.S[1]!);
  });
});
