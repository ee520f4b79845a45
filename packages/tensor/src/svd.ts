// Thin singular value decomposition in float64 through ml-matrix (Golub–Kahan–Reinsch, from JAMA).
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { assertFiniteArray, describeShape } from './checks.js';
import { tf } from './tf.js';

/** A dense row-major float64 matrix. */
export interface DenseMatrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export type MatrixInput =
  | readonly (readonly number[])[]
  | {
      readonly data: Float32Array | Float64Array | readonly number[];
      readonly shape: readonly [number, number];
    }
  | tf.Tensor2D;

/** M = U · diag(S) · Vᵀ with k = min(rows, cols): U is rows×k, S has k values in descending order, V is cols×k. */
export interface ThinSvd {
  readonly U: DenseMatrix;
  readonly S: Float64Array;
  readonly V: DenseMatrix;
}

function toDense(input: MatrixInput): DenseMatrix {
  if (input instanceof tf.Tensor) {
    if (input.rank !== 2)
      throw new Error(`expected a matrix tensor [rows,cols], got ${describeShape(input.shape)}`);
    const [rows, cols] = input.shape as [number, number];
    return { rows, cols, data: Float64Array.from(input.dataSync()) };
  }
  if (Array.isArray(input)) {
    const rowsList = input as readonly (readonly number[])[];
    const rows = rowsList.length;
    const cols = rows > 0 ? (rowsList[0]?.length ?? 0) : 0;
    const data = new Float64Array(rows * cols);
    rowsList.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== cols) {
        throw new Error(
          `expected a rectangular number[][]: row 0 has ${cols} entries, row ${i} has ${row?.length}`,
        );
      }
      data.set(row, i * cols);
    });
    return { rows, cols, data };
  }
  const { data, shape } = input as Exclude<MatrixInput, readonly (readonly number[])[] | tf.Tensor2D>;
  if (shape?.length !== 2) throw new Error(`expected shape [rows,cols], got ${JSON.stringify(shape)}`);
  const [rows, cols] = shape;
  if (data.length !== rows * cols) {
    throw new Error(
      `matrix data has ${data.length} values, but shape ${describeShape(shape)} needs ${rows * cols}`,
    );
  }
  return { rows, cols, data: Float64Array.from(data) };
}

/** Column j of a dense matrix, as a new array. */
export function denseColumn(m: DenseMatrix, j: number): Float64Array {
  const out = new Float64Array(m.rows);
  for (let i = 0; i < m.rows; i++) out[i] = m.data[i * m.cols + j]!;
  return out;
}

/**
 * Thin SVD of a matrix in any of the accepted layouts (tall, wide or square). Singular vectors are only
 * defined up to sign; this picks, per pair, the sign that makes the largest-magnitude entry of V's column
 * positive, so results do not flip between runs or library versions.
 */
export function thinSvd(input: MatrixInput): ThinSvd {
  const m = toDense(input);
  if (m.rows === 0 || m.cols === 0)
    throw new Error(`expected a non-empty matrix, got ${describeShape([m.rows, m.cols])}`);
  assertFiniteArray(m.data, 'matrix entries');
  const k = Math.min(m.rows, m.cols);
  // autoTranspose: the JAMA algorithm assumes rows >= cols; ml-matrix transposes wide inputs for us.
  const svd = new SingularValueDecomposition(Matrix.from1DArray(m.rows, m.cols, m.data), {
    autoTranspose: true,
  });
  const u = svd.leftSingularVectors;
  const v = svd.rightSingularVectors;
  const S = Float64Array.from(svd.diagonal.slice(0, k));
  const U = new Float64Array(m.rows * k);
  const V = new Float64Array(m.cols * k);
  for (let j = 0; j < k; j++) {
    let largest = 0;
    for (let i = 0; i < m.cols; i++) {
      const x = v.get(i, j);
      if (Math.abs(x) > Math.abs(largest)) largest = x;
    }
    const sign = largest < 0 ? -1 : 1;
    for (let i = 0; i < m.rows; i++) U[i * k + j] = sign * u.get(i, j);
    for (let i = 0; i < m.cols; i++) V[i * k + j] = sign * v.get(i, j);
  }
  return { U: { rows: m.rows, cols: k, data: U }, S, V: { rows: m.cols, cols: k, data: V } };
}

/** The first `columns` columns (default: all) of a dense matrix as a float32 tensor, e.g. STS's basis B = V[:, :k]. */
export function denseToTensor2D(m: DenseMatrix, columns = m.cols): tf.Tensor2D {
  if (!Number.isInteger(columns) || columns < 1 || columns > m.cols) {
    throw new Error(`columns must be an integer in [1, ${m.cols}], got ${columns}`);
  }
  const out = new Float32Array(m.rows * columns);
  for (let i = 0; i < m.rows; i++) {
    for (let j = 0; j < columns; j++) out[i * columns + j] = m.data[i * m.cols + j]!;
  }
  return tf.tensor2d(out, [m.rows, columns]);
}
