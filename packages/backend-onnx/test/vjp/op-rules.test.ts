// Each gradient rule on small random one-node graphs: against central finite differences (float64 where
// onnxruntime's CPU kernels have it: step 1e-6, tolerance 1e-6; float32 otherwise: step 1e-2, tolerance
// 3e-3, both relative to max(1, max|fd|)) and against the tfjs executor's gradient (float32, 1e-4 relative).
import { describe, expect, it } from 'vitest';
import { buildVjp, MissingGradientRuleError } from '../../src/vjp/index.js';
import { checkOp, type OpCase, opModel } from './op-graph.js';

const x = (dims: number[], extra: Partial<OpCase['inputs'][number]> = {}) => ({ name: 'x', dims, ...extra });
const b = (dims: number[], extra: Partial<OpCase['inputs'][number]> = {}) => ({ name: 'b', dims, ...extra });
const ints = (name: string, values: number[], dims = [values.length]) => ({
  name,
  dims,
  values,
  int64: true,
  constant: true,
});
const positive: [number, number] = [0.5, 2];

const CASES: Record<string, OpCase> = {
  'Add broadcast [2,3,4]+[4]': { op: 'Add', inputs: [x([2, 3, 4]), b([4])] },
  'Add broadcast [2,1,4]+[3,1]': { op: 'Add', inputs: [x([2, 1, 4]), b([3, 1])] },
  'Sub broadcast': { op: 'Sub', inputs: [x([3, 4]), b([3, 1])] },
  'Mul broadcast': { op: 'Mul', inputs: [x([2, 3, 4]), b([1, 3, 1])] },
  'Div broadcast': { op: 'Div', inputs: [x([2, 3]), b([3], { range: positive })] },
  'Pow (both)': { op: 'Pow', inputs: [x([2, 3], { range: positive }), b([3], { range: [0.5, 1.5] })] },
  'Pow (constant exponent)': {
    op: 'Pow',
    inputs: [x([2, 3], { range: positive }), { name: 'p', dims: [], values: [2], constant: true }],
  },
  Sqrt: { op: 'Sqrt', inputs: [x([2, 3], { range: positive })] },
  Neg: { op: 'Neg', inputs: [x([2, 3])] },
  Exp: { op: 'Exp', inputs: [x([2, 3])] },
  Log: { op: 'Log', inputs: [x([2, 3], { range: positive })] },
  Tanh: { op: 'Tanh', inputs: [x([2, 3])] },
  Sigmoid: { op: 'Sigmoid', inputs: [x([2, 3])] },
  Relu: { op: 'Relu', inputs: [x([2, 3], { values: [-0.9, -0.3, 0.2, 0.5, -0.1, 0.8] })] },
  Erf: { op: 'Erf', inputs: [x([2, 3])] },
  Gelu: { op: 'Gelu', inputs: [x([2, 3], { range: [-2, 2] })], opset: 20 },
  'Gelu tanh': {
    op: 'Gelu',
    inputs: [x([2, 3], { range: [-2, 2] })],
    attrs: { approximate: 'tanh' },
    opset: 20,
  },
  'Softmax axis 1': { op: 'Softmax', inputs: [x([2, 3, 4])], attrs: { axis: 1 } },
  'Softmax opset 11 (2-D coercion)': { op: 'Softmax', inputs: [x([2, 3, 4])], attrs: { axis: 1 }, opset: 11 },
  LogSoftmax: { op: 'LogSoftmax', inputs: [x([2, 5])] },
  'LayerNormalization axis -1': {
    op: 'LayerNormalization',
    inputs: [x([2, 3, 4]), { name: 'scale', dims: [4] }, { name: 'bias', dims: [4] }],
    attrs: { epsilon: { float: 1e-5 } },
  },
  'LayerNormalization axis 1': {
    op: 'LayerNormalization',
    inputs: [
      x([2, 3, 4]),
      { name: 'scale', dims: [3, 4], constant: true },
      { name: 'bias', dims: [3, 4], constant: true },
    ],
    attrs: { axis: 1 },
  },
  'MatMul [2,3,4]@[4,5]': { op: 'MatMul', inputs: [x([2, 3, 4]), b([4, 5])] },
  'MatMul [2,2,3,4]@[2,2,4,3]': { op: 'MatMul', inputs: [x([2, 2, 3, 4]), b([2, 2, 4, 3])] },
  'MatMul broadcast [2,1,3,4]@[3,4,2]': { op: 'MatMul', inputs: [x([2, 1, 3, 4]), b([3, 4, 2])] },
  'MatMul [4]@[2,4,3]': { op: 'MatMul', inputs: [x([4]), b([2, 4, 3])] },
  'MatMul [2,3,4]@[4]': { op: 'MatMul', inputs: [x([2, 3, 4]), b([4])] },
  'Gemm transA transB alpha beta': {
    op: 'Gemm',
    inputs: [x([4, 3]), b([5, 4]), { name: 'c', dims: [5] }],
    attrs: { transA: 1, transB: 1, alpha: { float: 0.7 }, beta: { float: 1.3 } },
  },
  Gemm: { op: 'Gemm', inputs: [x([3, 4]), b([4, 5])] },
  Reshape: { op: 'Reshape', inputs: [x([2, 3, 4]), ints('shape', [4, -1])] },
  Transpose: { op: 'Transpose', inputs: [x([2, 3, 4])], attrs: { perm: [2, 0, 1] } },
  'Transpose default': { op: 'Transpose', inputs: [x([2, 3, 4])] },
  Squeeze: { op: 'Squeeze', inputs: [x([2, 1, 3]), ints('axes', [1])] },
  'Squeeze opset 11': { op: 'Squeeze', inputs: [x([2, 1, 3])], attrs: { axes: [1] }, opset: 11 },
  Unsqueeze: { op: 'Unsqueeze', inputs: [x([2, 3]), ints('axes', [0, -1])] },
  Flatten: { op: 'Flatten', inputs: [x([2, 3, 4])], attrs: { axis: 2 } },
  Expand: { op: 'Expand', inputs: [x([3, 1]), ints('shape', [2, 3, 4])] },
  Concat: {
    op: 'Concat',
    inputs: [x([2, 3]), b([2, 2]), { name: 'w', dims: [2, 1], constant: true }],
    attrs: { axis: 1 },
  },
  'Slice negative start': {
    op: 'Slice',
    inputs: [x([3, 5]), ints('starts', [-4]), ints('ends', [100]), ints('axes', [1])],
  },
  'Slice two axes': { op: 'Slice', inputs: [x([3, 5, 2]), ints('starts', [1, 0]), ints('ends', [3, 4])] },
  'Slice opset 13': {
    op: 'Slice',
    inputs: [x([4, 3]), ints('starts', [1]), ints('ends', [-1]), ints('axes', [0])],
    opset: 13,
  },
  Split: {
    op: 'Split',
    inputs: [x([2, 6]), ints('split', [1, 2, 3])],
    attrs: { axis: 1 },
    outputs: 3,
    cotangentOutputs: [0, 2],
  },
  'Split opset 11': {
    op: 'Split',
    inputs: [x([2, 6])],
    attrs: { axis: 1, split: [2, 4] },
    outputs: 2,
    cotangentOutputs: [0, 1],
    opset: 11,
  },
  'Gather axis 0 (repeated, negative)': {
    op: 'Gather',
    inputs: [x([4, 3]), ints('i', [0, 2, 0, -1], [2, 2])],
  },
  'Gather axis 1 (scalar index)': {
    op: 'Gather',
    inputs: [x([2, 4, 3]), ints('i', [-2], [])],
    attrs: { axis: 1 },
  },
  'Gather axis 1 (2-D index)': {
    op: 'Gather',
    inputs: [x([2, 4, 3]), ints('i', [1, 3, 1, 0], [2, 2])],
    attrs: { axis: 1 },
  },
  GatherElements: {
    op: 'GatherElements',
    inputs: [x([3, 4]), ints('i', [0, 3, 3, 1, 2, 2], [3, 2])],
    attrs: { axis: 1 },
  },
  Where: {
    op: 'Where',
    inputs: [
      { name: 'cond', dims: [2, 3], values: [1, 0, 1, 0, 0, 1], bool: true, constant: true },
      x([2, 3]),
      b([3]),
    ],
  },
  'Cast float→double': { op: 'Cast', inputs: [x([2, 3])], attrs: { to: 11 } },
  Identity: { op: 'Identity', inputs: [x([2, 3])] },
  'ReduceMean axes attribute': {
    op: 'ReduceMean',
    inputs: [x([2, 3, 4])],
    attrs: { axes: [1], keepdims: 0 },
  },
  'ReduceMean axes input (opset 18)': {
    op: 'ReduceMean',
    inputs: [x([2, 3, 4]), ints('axes', [-1, 0])],
    opset: 18,
  },
  'ReduceSum keepdims 0': {
    op: 'ReduceSum',
    inputs: [x([2, 3, 4]), ints('axes', [0, 2])],
    attrs: { keepdims: 0 },
  },
  'ReduceSum all': { op: 'ReduceSum', inputs: [x([2, 3])], attrs: { keepdims: 0 } },
  'ReduceSum opset 11': {
    op: 'ReduceSum',
    inputs: [x([2, 3, 4])],
    attrs: { axes: [1], keepdims: 1 },
    opset: 11,
  },
  ReduceMax: { op: 'ReduceMax', inputs: [x([3, 4])], attrs: { axes: [1], keepdims: 0 } },
  'Conv pad 1': {
    op: 'Conv',
    inputs: [x([1, 2, 5, 5]), { name: 'w', dims: [3, 2, 3, 3], constant: true }],
    attrs: { pads: [1, 1, 1, 1] },
  },
  'Conv stride 2': {
    op: 'Conv',
    inputs: [x([1, 2, 6, 6]), { name: 'w', dims: [2, 2, 3, 3], constant: true }],
    attrs: { pads: [1, 1, 1, 1], strides: [2, 2] },
  },
  'Conv grouped': {
    op: 'Conv',
    inputs: [x([1, 4, 4, 4]), { name: 'w', dims: [4, 2, 3, 3], constant: true }],
    attrs: { group: 2 },
  },
  Max: { op: 'Max', inputs: [x([2, 3]), b([3])] },
  Min: { op: 'Min', inputs: [x([2, 3]), b([2, 3])] },
  'TopK (MoE routing)': {
    op: 'TopK',
    inputs: [x([3, 5]), ints('k', [2])],
    outputs: 2,
    cotangentOutputs: [0],
  },
  'ScatterElements (MoE combine)': {
    op: 'ScatterElements',
    inputs: [x([3, 4]), ints('i', [1, 3, 0, 2, 2, 0], [3, 2]), b([3, 2])],
    attrs: { axis: 1 },
  },
  Tile: { op: 'Tile', inputs: [x([2, 3]), ints('repeats', [2, 2])] },
};

describe('VJP rules: finite differences and tfjs', { timeout: 30_000 }, () => {
  for (const [label, c] of Object.entries(CASES)) {
    it(label, async () => {
      const check = await checkOp(c);
      if (process.env.VJP_PRINT) console.info(`VJP rule ${label}: ${JSON.stringify(check)}`);
      expect(check.fdError).toBeLessThan(check.dtype === 'float64' ? 1e-6 : 3e-3);
      if (check.tfjsError !== undefined) expect(check.tfjsError).toBeLessThan(1e-4);
    });
  }
});

describe('VJP builder errors', () => {
  it('names an op on the path without a rule and its node', () => {
    const model = opModel({ op: 'CumSum', inputs: [x([2, 3]), ints('axis', [1], [])] }, 1, [
      [1, 2, 3, 4, 5, 6],
      [1],
    ]);
    expect(() => buildVjp(model, { wrt: ['x'] })).toThrow(MissingGradientRuleError);
    expect(() => buildVjp(model, { wrt: ['x'] })).toThrow(/'CumSum' \(node 'the_CumSum'\)/);
  });

  it('rejects unknown and integer inputs', () => {
    const model = opModel({ op: 'Gather', inputs: [x([4, 3]), { name: 'i', dims: [2], int64: true }] }, 1, [
      [],
      [0, 1],
    ]);
    expect(() => buildVjp(model, { wrt: ['nope'] })).toThrow(/'nope' is not a graph input; inputs: x, i/);
    expect(() => buildVjp(model, { wrt: ['i'] })).toThrow(/'i' is not a float tensor/);
  });
});
