import { tf } from '@attune/tensor';
import { HostTensor, normalizeAxis, sizeOf, stridesOf } from '../host-tensor.js';
import type { Value } from '../values.js';
import type { OpContext, OpImpl } from './op-context.js';

/** The source indices Slice picks along one axis, after ONNX's clamping rules. */
function sliceIndices(dim: number, start: number, end: number, step: number): number[] {
  let from = start < 0 ? start + dim : start;
  let to = end < 0 ? end + dim : end;
  if (step > 0) {
    from = Math.min(Math.max(from, 0), dim);
    to = Math.min(Math.max(to, 0), dim);
  } else {
    from = Math.min(Math.max(from, 0), dim - 1);
    to = Math.min(Math.max(to, -1), dim - 1);
  }
  const indices: number[] = [];
  for (let i = from; step > 0 ? i < to : i > to; i += step) indices.push(i);
  return indices;
}

function slice(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const rank = shape.length;
  // Before opset 10 starts/ends/axes are attributes (and there are no steps).
  const starts = ctx.opset >= 10 ? ctx.ints(1) : ctx.node.attrs.ints('starts');
  const ends = ctx.opset >= 10 ? ctx.ints(2) : ctx.node.attrs.ints('ends');
  const axesGiven = ctx.opset >= 10 ? ctx.optionalInts(3) : ctx.node.attrs.ints('axes', []);
  const axes = axesGiven && axesGiven.length > 0 ? axesGiven : starts.map((_, i) => i);
  const steps = (ctx.opset >= 10 ? ctx.optionalInts(4) : undefined) ?? axes.map(() => 1);
  if (starts.length !== axes.length || ends.length !== axes.length || steps.length !== axes.length) {
    throw ctx.error(
      `starts, ends, axes and steps must have one entry per sliced axis, got ${starts.length}, ${ends.length}, ${axes.length}, ${steps.length}`,
    );
  }
  const picks: (number[] | undefined)[] = new Array(rank).fill(undefined);
  const stepOf: number[] = new Array(rank).fill(1);
  axes.forEach((a, k) => {
    const axis = normalizeAxis(a, rank, ctx.what);
    if (steps[k] === 0) throw ctx.error('slice step cannot be 0');
    picks[axis] = sliceIndices(shape[axis]!, starts[k]!, ends[k]!, steps[k]!);
    stepOf[axis] = steps[k]!;
  });
  const indicesPerAxis = picks.map((p, axis) => p ?? Array.from({ length: shape[axis]! }, (_, i) => i));

  const host = ctx.peekHost(0);
  if (host) return [gatherHostAxes(host, indicesPerAxis)];

  // One contiguous tf.slice over the span, then reverse or gather for axes whose step is not 1.
  const begin = indicesPerAxis.map((ix) => (ix.length ? Math.min(ix[0]!, ix[ix.length - 1]!) : 0));
  const size = indicesPerAxis.map((ix) => (ix.length ? Math.abs(ix[ix.length - 1]! - ix[0]!) + 1 : 0));
  let result = tf.slice(ctx.tensor(0), begin, size);
  indicesPerAxis.forEach((ix, axis) => {
    const step = stepOf[axis]!;
    if (step === 1 || ix.length === 0) return;
    if (step === -1) result = tf.reverse(result, axis);
    else
      result = tf.gather(
        result,
        tf.tensor1d(
          ix.map((i) => i - begin[axis]!),
          'int32',
        ),
        axis,
      );
  });
  return [result];
}

/** Picks `indicesPerAxis[d]` along every axis d of a host tensor. */
function gatherHostAxes(host: HostTensor, indicesPerAxis: number[][]): HostTensor {
  const outShape = indicesPerAxis.map((ix) => ix.length);
  const inStrides = stridesOf(host.shape);
  const outStrides = stridesOf(outShape);
  const data = new Array<number>(sizeOf(outShape));
  for (let flat = 0; flat < data.length; flat++) {
    let source = 0;
    for (let d = 0; d < outShape.length; d++) {
      source += indicesPerAxis[d]![Math.floor(flat / outStrides[d]!) % outShape[d]!]! * inStrides[d]!;
    }
    data[flat] = host.data[source]!;
  }
  return new HostTensor(host.dtype, outShape, data);
}

function checkIndex(ctx: OpContext, index: number, dim: number): number {
  const normalized = index < 0 ? index + dim : index;
  if (normalized < 0 || normalized >= dim)
    throw ctx.error(`index ${index} is out of range for a dimension of ${dim}`);
  return normalized;
}

function gather(ctx: OpContext): Value[] {
  const dataShape = ctx.shape(0);
  const axis = normalizeAxis(ctx.node.attrs.int('axis', 0), dataShape.length, ctx.what);
  const dim = dataShape[axis]!;
  const data = ctx.peekHost(0);
  const indices = ctx.peekHost(1);
  if (data && indices) {
    const picked = indices.data.map((i) => checkIndex(ctx, i, dim));
    const perAxis = dataShape.map((d, k) => (k === axis ? picked : Array.from({ length: d }, (_, i) => i)));
    const flat = gatherHostAxes(data, perAxis);
    return [flat.reshape([...dataShape.slice(0, axis), ...indices.shape, ...dataShape.slice(axis + 1)])];
  }
  let index: tf.Tensor;
  if (indices) {
    index = tf.tensor(
      indices.data.map((i) => checkIndex(ctx, i, dim)),
      [...indices.shape],
      'int32',
    );
  } else {
    // Token ids and the like: negative indices count from the end, as in numpy.
    const raw = ctx.tensor(1);
    index = tf.where(tf.less(raw, 0), tf.add(raw, tf.scalar(dim, 'int32')), raw);
  }
  return [tf.gather(ctx.tensor(0), index, axis)];
}

/** Flat positions into `dataShape` for each element of an index tensor, given how to map a coordinate. */
function flatPositions(
  indexShape: readonly number[],
  dataShape: readonly number[],
  position: (coordinate: number[]) => number[],
): number[] {
  const indexStrides = stridesOf(indexShape);
  const dataStrides = stridesOf(dataShape);
  const out = new Array<number>(sizeOf(indexShape));
  const coordinate = new Array<number>(indexShape.length);
  for (let flat = 0; flat < out.length; flat++) {
    for (let d = 0; d < indexShape.length; d++)
      coordinate[d] = Math.floor(flat / indexStrides[d]!) % indexShape[d]!;
    out[flat] = position(coordinate).reduce((acc, c, d) => acc + c * dataStrides[d]!, 0);
  }
  return out;
}

/**
 * GatherElements as a gather on the flattened data with positions computed here: differentiable through
 * tfjs's Gather gradient (tfjs has no gradient for GatherNd).
 */
function gatherElements(ctx: OpContext): Value[] {
  const dataShape = ctx.shape(0);
  const axis = normalizeAxis(ctx.node.attrs.int('axis', 0), dataShape.length, ctx.what);
  const indices = ctx.host(1);
  const positions = flatPositions(indices.shape, dataShape, (coordinate) => {
    const at = [...coordinate];
    at[axis] = checkIndex(ctx, indices.data[flatIndex(coordinate, indices.shape)]!, dataShape[axis]!);
    return at;
  });
  return [gatherFlat(ctx, positions, indices.shape)];
}

function flatIndex(coordinate: readonly number[], shape: readonly number[]): number {
  return coordinate.reduce((acc, c, d) => acc * shape[d]! + c, 0);
}

function gatherFlat(ctx: OpContext, positions: number[], outShape: readonly number[]): Value {
  const host = ctx.peekHost(0);
  if (host)
    return new HostTensor(
      host.dtype,
      outShape,
      positions.map((p) => host.data[p]!),
    );
  const flat = tf.reshape(ctx.tensor(0), [-1]);
  return tf.reshape(tf.gather(flat, tf.tensor1d(positions, 'int32')), [...outShape]);
}

/** GatherND (with batch_dims), also as a flat gather so that it is differentiable. */
function gatherND(ctx: OpContext): Value[] {
  const dataShape = ctx.shape(0);
  const indices = ctx.host(1);
  const batchDims = ctx.node.attrs.int('batch_dims', 0);
  const depth = indices.shape[indices.shape.length - 1]!;
  const tupleShape = indices.shape.slice(0, -1);
  const sliceShape = dataShape.slice(batchDims + depth);
  const sliceSize = sizeOf(sliceShape);
  const batchSize = sizeOf(tupleShape.slice(batchDims));
  const outerStrides = stridesOf(dataShape.slice(0, batchDims + depth));
  const positions: number[] = [];
  for (let t = 0; t < sizeOf(tupleShape); t++) {
    const batchIndex = Math.floor(t / batchSize);
    let row = 0;
    // The leading batch_dims coordinates come from the tuple's own position, the rest from the index tuple.
    const batchCoordinates = unflatten(batchIndex, dataShape.slice(0, batchDims));
    batchCoordinates.forEach((c, d) => {
      row += c * outerStrides[d]!;
    });
    for (let k = 0; k < depth; k++) {
      const d = batchDims + k;
      row += checkIndex(ctx, indices.data[t * depth + k]!, dataShape[d]!) * outerStrides[d]!;
    }
    for (let s = 0; s < sliceSize; s++) positions.push(row * sliceSize + s);
  }
  return [gatherFlat(ctx, positions, [...tupleShape, ...sliceShape])];
}

function unflatten(flat: number, shape: readonly number[]): number[] {
  const strides = stridesOf(shape);
  return shape.map((d, i) => Math.floor(flat / strides[i]!) % d);
}

/** Trilu keeps the upper (or lower) triangle of the last two axes, offset by k; the rest becomes 0. */
function trilu(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  if (shape.length < 2) throw ctx.error(`expected a tensor of rank >= 2, got [${shape.join(',')}]`);
  const upper = ctx.node.attrs.int('upper', 1) === 1;
  const k = ctx.has(1) ? ctx.scalar(1) : 0;
  const rows = shape[shape.length - 2]!;
  const cols = shape[shape.length - 1]!;
  const keep = (r: number, c: number) => (upper ? c - r >= k : c - r <= k);
  const host = ctx.peekHost(0);
  if (host) {
    const data = host.data.map((v, flat) => {
      const c = flat % cols;
      const r = Math.floor(flat / cols) % rows;
      return keep(r, c) ? v : 0;
    });
    return [new HostTensor(host.dtype, shape, data)];
  }
  const mask = new Uint8Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) mask[r * cols + c] = keep(r, c) ? 1 : 0;
  const x = ctx.tensor(0);
  // where, not a multiply: the masked-out entries may be -inf (causal masks), and -inf * 0 is NaN.
  return [tf.where(tf.tensor2d(mask, [rows, cols], 'bool'), x, tf.zerosLike(x))];
}

function pad(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const rank = shape.length;
  const mode = ctx.node.attrs.string('mode', 'constant');
  // Before opset 11 pads and value are attributes; from 11 inputs; opset 18 adds an axes input.
  const pads = ctx.opset >= 11 ? ctx.ints(1) : ctx.node.attrs.ints('pads');
  const value = ctx.opset >= 11 ? (ctx.has(2) ? ctx.scalar(2) : 0) : ctx.node.attrs.float('value', 0);
  const axes = (ctx.opset >= 18 ? ctx.optionalInts(3) : undefined)?.map((a) =>
    normalizeAxis(a, rank, ctx.what),
  ) ?? [...Array(rank).keys()];
  if (pads.length !== 2 * axes.length) {
    throw ctx.error(`expected ${2 * axes.length} pads for ${axes.length} axes, got ${pads.length}`);
  }
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  axes.forEach((axis, k) => {
    before[axis] = pads[k]!;
    after[axis] = pads[k + axes.length]!;
  });
  let x = ctx.tensor(0);
  // Negative pads crop.
  if (before.some((p) => p < 0) || after.some((p) => p < 0)) {
    const begin = before.map((p) => Math.max(-p, 0));
    const size = shape.map((d, i) => d - begin[i]! - Math.max(-after[i]!, 0));
    x = tf.slice(x, begin, size);
  }
  const paddings = before.map((p, i) => [Math.max(p, 0), Math.max(after[i]!, 0)] as [number, number]);
  if (paddings.every(([a, b]) => a === 0 && b === 0)) return [x === ctx.tensor(0) ? tf.clone(x) : x];
  if (mode === 'constant') return [tf.pad(x, paddings, value)];
  if (mode === 'reflect') return [borderPad(x, paddings, 'reflect')];
  if (mode === 'edge') return [borderPad(x, paddings, 'edge')];
  throw ctx.error(`mode must be constant, reflect or edge, got '${mode}'`);
}

/**
 * Reflect and edge padding from slices, reversals and concatenation, axis by axis. (tf.mirrorPad's
 * gradient drops the reflected part, so it is not used.)
 */
function borderPad(x: tf.Tensor, paddings: [number, number][], mode: 'reflect' | 'edge'): tf.Tensor {
  let result = x;
  paddings.forEach(([before, after], axis) => {
    if (before === 0 && after === 0) return;
    const dim = result.shape[axis]!;
    const take = (start: number, size: number) =>
      tf.slice(
        result,
        result.shape.map((_, i) => (i === axis ? start : 0)),
        result.shape.map((d, i) => (i === axis ? size : d)),
      );
    const repeat = (t: tf.Tensor, count: number) =>
      tf.tile(
        t,
        t.shape.map((_, i) => (i === axis ? count : 1)),
      );
    const parts: tf.Tensor[] = [];
    if (mode === 'reflect') {
      if (before >= dim || after >= dim)
        throw new Error(`reflect padding of ${Math.max(before, after)} needs a dimension larger than ${dim}`);
      if (before > 0) parts.push(tf.reverse(take(1, before), axis));
      parts.push(result);
      if (after > 0) parts.push(tf.reverse(take(dim - 1 - after, after), axis));
    } else {
      if (before > 0) parts.push(repeat(take(0, 1), before));
      parts.push(result);
      if (after > 0) parts.push(repeat(take(dim - 1, 1), after));
    }
    result = tf.concat(parts, axis);
  });
  return result;
}

export const INDEXING_OPS: Record<string, OpImpl> = {
  Slice: slice,
  Gather: gather,
  GatherElements: gatherElements,
  GatherND: gatherND,
  Trilu: trilu,
  Pad: pad,
};
