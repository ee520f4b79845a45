// The backend conformance graphs: small single-purpose ONNX graphs, each with deterministic float32 inputs
// and a float64 reference written out in plain loops from the ONNX operator definitions. Every backend
// must give these numbers (within float32 rounding), as tfjs runs one kernel test file per backend.
import type { GraphSpec } from './onnx-builder.js';

/** A dense float tensor on the host: what a backend adapter feeds and returns. */
export interface HostTensor {
  readonly dims: readonly number[];
  readonly data: ArrayLike<number>;
}

export interface OpGraph {
  readonly name: string;
  readonly spec: GraphSpec;
  readonly feeds: Readonly<Record<string, HostTensor>>;
  /** The outputs computed in float64 from the feeds and weights. */
  reference(): Record<string, HostTensor>;
}

const size = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** Evenly spread values in [lo, hi) in a scrambled order (golden-ratio steps): distinct, no near-ties. */
export function spread(dims: readonly number[], lo: number, hi: number, phase = 0): HostTensor {
  const n = size(dims);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + (hi - lo) * ((i * 0.6180339887 + phase) % 1);
  return { dims, data };
}

const values = (t: HostTensor) => Array.from(t.data as ArrayLike<number>, Number);
const weight = (t: HostTensor) => ({ dims: t.dims, values: values(t) });

function matmulAddRelu(): OpGraph {
  const x = spread([2, 3], -2, 2);
  const w = spread([3, 4], -1, 1, 0.3);
  const b = spread([4], -0.5, 0.5, 0.7);
  return {
    name: 'matmul-add-relu',
    spec: {
      inputs: { x: [2, 3] },
      outputs: { y: [2, 4] },
      weights: { w: weight(w), b: weight(b) },
      nodes: [
        { op: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] },
        { op: 'Add', inputs: ['xw', 'b'], outputs: ['z'] },
        { op: 'Relu', inputs: ['z'], outputs: ['y'] },
      ],
    },
    feeds: { x },
    reference() {
      const [X, W, B] = [values(x), values(w), values(b)];
      const y: number[] = [];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 4; j++) {
          let s = B[j]!;
          for (let k = 0; k < 3; k++) s += X[i * 3 + k]! * W[k * 4 + j]!;
          y.push(Math.max(0, s));
        }
      return { y: { dims: [2, 4], data: y } };
    },
  };
}

function gemm(): OpGraph {
  const a = spread([2, 3], -1.5, 1.5);
  const b = spread([4, 3], -1, 1, 0.2);
  const c = spread([4], -1, 1, 0.9);
  return {
    name: 'gemm-transposed',
    spec: {
      inputs: { a: [2, 3] },
      outputs: { y: [2, 4] },
      weights: { b: weight(b), c: weight(c) },
      nodes: [
        {
          op: 'Gemm',
          inputs: ['a', 'b', 'c'],
          outputs: ['y'],
          attributes: { transB: 1 },
          floats: { alpha: 0.5, beta: 2 },
        },
      ],
    },
    feeds: { a },
    reference() {
      const [A, B, C] = [values(a), values(b), values(c)];
      const y: number[] = [];
      for (let i = 0; i < 2; i++)
        for (let j = 0; j < 4; j++) {
          let s = 0;
          for (let k = 0; k < 3; k++) s += A[i * 3 + k]! * B[j * 3 + k]!;
          y.push(0.5 * s + 2 * C[j]!);
        }
      return { y: { dims: [2, 4], data: y } };
    },
  };
}

function softmax(): OpGraph {
  const x = spread([3, 5], -4, 4);
  return {
    name: 'softmax',
    spec: {
      inputs: { x: [3, 5] },
      outputs: { y: [3, 5] },
      nodes: [{ op: 'Softmax', inputs: ['x'], outputs: ['y'], attributes: { axis: -1 } }],
    },
    feeds: { x },
    reference() {
      const X = values(x);
      const y: number[] = [];
      for (let r = 0; r < 3; r++) {
        const row = X.slice(r * 5, r * 5 + 5);
        const max = Math.max(...row);
        const e = row.map((v) => Math.exp(v - max));
        const sum = e.reduce((p, q) => p + q, 0);
        y.push(...e.map((v) => v / sum));
      }
      return { y: { dims: [3, 5], data: y } };
    },
  };
}

function conv(): OpGraph {
  const x = spread([1, 2, 5, 5], -1, 1);
  const w = spread([3, 2, 3, 3], -0.5, 0.5, 0.4);
  const b = spread([3], -0.2, 0.2, 0.1);
  return {
    name: 'conv-stride2-pad1',
    spec: {
      inputs: { x: [1, 2, 5, 5] },
      outputs: { y: [1, 3, 3, 3] },
      weights: { w: weight(w), b: weight(b) },
      nodes: [
        {
          op: 'Conv',
          inputs: ['x', 'w', 'b'],
          outputs: ['y'],
          attributes: { kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] },
        },
      ],
    },
    feeds: { x },
    reference() {
      const [X, W, B] = [values(x), values(w), values(b)];
      const y: number[] = [];
      for (let o = 0; o < 3; o++)
        for (let oh = 0; oh < 3; oh++)
          for (let ow = 0; ow < 3; ow++) {
            let s = B[o]!;
            for (let c = 0; c < 2; c++)
              for (let kh = 0; kh < 3; kh++)
                for (let kw = 0; kw < 3; kw++) {
                  const ih = oh * 2 - 1 + kh;
                  const iw = ow * 2 - 1 + kw;
                  if (ih < 0 || ih >= 5 || iw < 0 || iw >= 5) continue;
                  s += X[c * 25 + ih * 5 + iw]! * W[((o * 2 + c) * 3 + kh) * 3 + kw]!;
                }
            y.push(s);
          }
      return { y: { dims: [1, 3, 3, 3], data: y } };
    },
  };
}

function layerNorm(): OpGraph {
  const x = spread([2, 6], -3, 3);
  const eps = 1e-5;
  return {
    name: 'layer-norm-from-primitives',
    spec: {
      inputs: { x: [2, 6] },
      outputs: { y: [2, 6] },
      weights: { eps: { dims: [], values: [eps] } },
      nodes: [
        { op: 'ReduceMean', inputs: ['x'], outputs: ['mean'], attributes: { axes: [-1], keepdims: 1 } },
        { op: 'Sub', inputs: ['x', 'mean'], outputs: ['d'] },
        { op: 'Mul', inputs: ['d', 'd'], outputs: ['d2'] },
        { op: 'ReduceMean', inputs: ['d2'], outputs: ['var'], attributes: { axes: [-1], keepdims: 1 } },
        { op: 'Add', inputs: ['var', 'eps'], outputs: ['ve'] },
        { op: 'Sqrt', inputs: ['ve'], outputs: ['sd'] },
        { op: 'Div', inputs: ['d', 'sd'], outputs: ['y'] },
      ],
    },
    feeds: { x },
    reference() {
      const X = values(x);
      const y: number[] = [];
      for (let r = 0; r < 2; r++) {
        const row = X.slice(r * 6, r * 6 + 6);
        const mean = row.reduce((p, q) => p + q, 0) / 6;
        const variance = row.reduce((p, q) => p + (q - mean) ** 2, 0) / 6;
        y.push(...row.map((v) => (v - mean) / Math.sqrt(variance + eps)));
      }
      return { y: { dims: [2, 6], data: y } };
    },
  };
}

function sigmoidTanh(): OpGraph {
  const x = spread([2, 4], -3, 3);
  return {
    name: 'sigmoid-times-tanh',
    spec: {
      inputs: { x: [2, 4] },
      outputs: { y: [2, 4] },
      nodes: [
        { op: 'Sigmoid', inputs: ['x'], outputs: ['s'] },
        { op: 'Tanh', inputs: ['x'], outputs: ['t'] },
        { op: 'Mul', inputs: ['s', 't'], outputs: ['y'] },
      ],
    },
    feeds: { x },
    reference() {
      return { y: { dims: [2, 4], data: values(x).map((v) => Math.tanh(v) / (1 + Math.exp(-v))) } };
    },
  };
}

function transposeReshape(): OpGraph {
  const x = spread([2, 3, 4], -1, 1);
  return {
    name: 'transpose-reshape',
    spec: {
      inputs: { x: [2, 3, 4] },
      outputs: { y: [4, 6] },
      int64s: { shape: { dims: [2], values: [4, 6] } },
      nodes: [
        { op: 'Transpose', inputs: ['x'], outputs: ['t'], attributes: { perm: [2, 0, 1] } },
        { op: 'Reshape', inputs: ['t', 'shape'], outputs: ['y'] },
      ],
    },
    feeds: { x },
    reference() {
      const X = values(x);
      const y: number[] = [];
      // t[k][i][j] = x[i][j][k], laid out row-major, is y's data.
      for (let k = 0; k < 4; k++)
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) y.push(X[i * 12 + j * 4 + k]!);
      return { y: { dims: [4, 6], data: y } };
    },
  };
}

function maxPool(): OpGraph {
  const x = spread([1, 1, 4, 4], -2, 2);
  return {
    name: 'maxpool-2x2',
    spec: {
      inputs: { x: [1, 1, 4, 4] },
      outputs: { y: [1, 1, 2, 2] },
      nodes: [
        {
          op: 'MaxPool',
          inputs: ['x'],
          outputs: ['y'],
          attributes: { kernel_shape: [2, 2], strides: [2, 2] },
        },
      ],
    },
    feeds: { x },
    reference() {
      const X = values(x);
      const y: number[] = [];
      for (let oh = 0; oh < 2; oh++)
        for (let ow = 0; ow < 2; ow++) {
          const window = [0, 1, 4, 5].map((d) => X[oh * 8 + ow * 2 + d]!);
          y.push(Math.max(...window));
        }
      return { y: { dims: [1, 1, 2, 2], data: y } };
    },
  };
}

/** Every graph of the backend conformance suite, in a fixed order. */
export function backendOpGraphs(): OpGraph[] {
  return [
    matmulAddRelu(),
    gemm(),
    softmax(),
    conv(),
    layerNorm(),
    sigmoidTanh(),
    transposeReshape(),
    maxPool(),
  ];
}
