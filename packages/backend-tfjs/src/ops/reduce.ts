import { tf } from '@attune/tensor';
import { HostTensor, normalizeAxis, stridesOf } from '../host-tensor.js';
import type { Value } from '../values.js';
import type { OpContext, OpImpl } from './op-context.js';

/** Opsets from which each Reduce* op takes `axes` as an input rather than an attribute. */
const AXES_AS_INPUT_FROM: Record<string, number> = { ReduceSum: 13 };
const DEFAULT_AXES_AS_INPUT_FROM = 18;

/** The axes a Reduce* node reduces over; undefined means "leave the tensor as it is" (noop_with_empty_axes). */
function reductionAxes(ctx: OpContext, rank: number): number[] | undefined {
  const fromInput = ctx.opset >= (AXES_AS_INPUT_FROM[ctx.node.opType] ?? DEFAULT_AXES_AS_INPUT_FROM);
  const axes = fromInput ? (ctx.optionalInts(1) ?? []) : ctx.node.attrs.ints('axes', []);
  if (axes.length === 0) {
    if (fromInput && ctx.node.attrs.int('noop_with_empty_axes', 0)) return undefined;
    return Array.from({ length: rank }, (_, i) => i);
  }
  return axes.map((axis) => normalizeAxis(axis, rank, ctx.what));
}

type Reducer = (x: tf.Tensor, axes: number[], keepDims: boolean) => tf.Tensor;

const REDUCERS: Record<string, Reducer> = {
  ReduceMean: (x, axes, keep) => tf.mean(x, axes, keep),
  ReduceSum: (x, axes, keep) => tf.sum(x, axes, keep),
  ReduceMax: (x, axes, keep) => tf.max(x, axes, keep),
  ReduceMin: (x, axes, keep) => tf.min(x, axes, keep),
  ReduceProd: (x, axes, keep) => tf.prod(x, axes, keep),
  ReduceL1: (x, axes, keep) => tf.sum(tf.abs(x), axes, keep),
  ReduceL2: (x, axes, keep) => tf.sqrt(tf.sum(tf.square(x), axes, keep)),
  ReduceSumSquare: (x, axes, keep) => tf.sum(tf.square(x), axes, keep),
  ReduceLogSumExp: (x, axes, keep) => tf.logSumExp(x, axes, keep),
  ReduceLogSum: (x, axes, keep) => tf.log(tf.sum(x, axes, keep)),
};

/** JS reducers for small host tensors (element counts and the like in shape arithmetic). */
const HOST_REDUCERS: Record<string, { init: number; step: (acc: number, v: number) => number }> = {
  ReduceSum: { init: 0, step: (a, v) => a + v },
  ReduceProd: { init: 1, step: (a, v) => a * v },
  ReduceMax: { init: Number.NEGATIVE_INFINITY, step: Math.max },
  ReduceMin: { init: Number.POSITIVE_INFINITY, step: Math.min },
};

function hostReduce(x: HostTensor, axes: number[], keepDims: boolean, opType: string): HostTensor {
  const reducer = HOST_REDUCERS[opType]!;
  const reduced = new Set(axes);
  const keptShape = x.shape.map((d, i) => (reduced.has(i) ? 1 : d));
  const outStrides = stridesOf(keptShape);
  const inStrides = stridesOf(x.shape);
  const out = new Array<number>(keptShape.reduce((a, b) => a * b, 1)).fill(reducer.init);
  for (let flat = 0; flat < x.size; flat++) {
    let target = 0;
    for (let d = 0; d < x.shape.length; d++) {
      if (!reduced.has(d)) target += (Math.floor(flat / inStrides[d]!) % x.shape[d]!) * outStrides[d]!;
    }
    out[target] = reducer.step(out[target]!, x.data[flat]!);
  }
  const shape = keepDims ? keptShape : x.shape.filter((_, i) => !reduced.has(i));
  return HostTensor.of(x.dtype, shape, out);
}

function reduce(opType: string, reducer: Reducer): OpImpl {
  return (ctx) => {
    const rank = ctx.shape(0).length;
    const axes = reductionAxes(ctx, rank);
    const keepDims = ctx.node.attrs.int('keepdims', 1) === 1;
    if (axes === undefined) return ctx.allHost() ? [ctx.host(0)] : [tf.clone(ctx.tensor(0))];
    if (HOST_REDUCERS[opType] && ctx.peekHost(0)) return [hostReduce(ctx.host(0), axes, keepDims, opType)];
    return [reducer(ctx.tensor(0), axes, keepDims)];
  };
}

function argReduce(kind: 'max' | 'min'): OpImpl {
  return (ctx) => {
    let x = ctx.tensor(0);
    const axis = normalizeAxis(ctx.node.attrs.int('axis', 0), x.rank, ctx.what);
    const keepDims = ctx.node.attrs.int('keepdims', 1) === 1;
    const selectLast = ctx.node.attrs.int('select_last_index', 0) === 1;
    // tfjs returns the first extreme index; for the last one, search the reversed axis and map back.
    if (selectLast) x = tf.reverse(x, axis);
    let index = kind === 'max' ? tf.argMax(x, axis) : tf.argMin(x, axis);
    if (selectLast) index = tf.sub(tf.scalar(x.shape[axis]! - 1, 'int32'), index);
    return [keepDims ? tf.expandDims(index, axis) : index];
  };
}

/** Softmax/LogSoftmax: before opset 13 the input is viewed as 2-D at `axis`; from 13, one axis. */
function softmaxLike(fn: (logits: tf.Tensor) => tf.Tensor): OpImpl {
  return (ctx): Value[] => {
    const x = ctx.tensor(0);
    if (ctx.opset < 13) {
      const axis = normalizeAxis(ctx.node.attrs.int('axis', 1), x.rank, ctx.what);
      const rows = x.shape.slice(0, axis).reduce((a, b) => a * b, 1);
      return [tf.reshape(fn(tf.reshape(x, [rows, -1])), x.shape)];
    }
    const axis = normalizeAxis(ctx.node.attrs.int('axis', -1), x.rank, ctx.what);
    if (axis === x.rank - 1) return [fn(x)];
    // tfjs normalises along the last axis only: move the axis there and back.
    const perm = Array.from({ length: x.rank }, (_, i) => i);
    perm[axis] = x.rank - 1;
    perm[x.rank - 1] = axis;
    return [tf.transpose(fn(tf.transpose(x, perm)), perm)];
  };
}

function cumulativeSum(ctx: OpContext): Value[] {
  const x = ctx.tensor(0);
  const axis = normalizeAxis(ctx.scalar(1), x.rank, ctx.what);
  const exclusive = ctx.node.attrs.int('exclusive', 0) === 1;
  const reverse = ctx.node.attrs.int('reverse', 0) === 1;
  return [tf.cumsum(x, axis, exclusive, reverse)];
}

/**
 * TopK: the k largest (or smallest) entries along `axis` and their indices. tfjs's topk works on the last
 * axis and picks the largest only, so the axis is moved there and back, and smallest is the top of -x.
 */
function topK(ctx: OpContext): Value[] {
  const x = ctx.tensor(0);
  const k = ctx.scalar(1);
  const axis = normalizeAxis(ctx.node.attrs.int('axis', -1), x.rank, ctx.what);
  const largest = ctx.node.attrs.int('largest', 1) === 1;
  const sorted = ctx.node.attrs.int('sorted', 1) === 1;
  if (!Number.isInteger(k) || k < 0 || k > x.shape[axis]!) {
    throw new Error(
      `${ctx.what}: K = ${k} must be an integer in [0, ${x.shape[axis]}] (the size of axis ${axis})`,
    );
  }
  const perm = Array.from({ length: x.rank }, (_, i) => i);
  perm[axis] = x.rank - 1;
  perm[x.rank - 1] = axis;
  const moved = axis === x.rank - 1 ? x : tf.transpose(x, perm);
  const { values, indices } = tf.topk(largest ? moved : tf.neg(moved), k, sorted);
  const signed = largest ? values : tf.neg(values);
  if (axis === x.rank - 1) return [signed, indices];
  return [tf.transpose(signed, perm), tf.transpose(indices, perm)];
}

export const REDUCE_OPS: Record<string, OpImpl> = {
  ...Object.fromEntries(Object.entries(REDUCERS).map(([name, reducer]) => [name, reduce(name, reducer)])),
  ArgMax: argReduce('max'),
  ArgMin: argReduce('min'),
  Softmax: softmaxLike((x) => tf.softmax(x)),
  LogSoftmax: softmaxLike((x) => tf.logSoftmax(x)),
  CumSum: cumulativeSum,
  TopK: topK,
};
