import { tf } from '@attune/tensor';
import {
  broadcastIndex,
  broadcastShapes,
  HostTensor,
  normalizeAxis,
  type OnnxDType,
  sizeOf,
  stridesOf,
} from '../host-tensor.js';
import { dtypeFromCode } from '../tensor-proto.js';
import { assertFitsInt32, tfDTypeOf, type Value } from '../values.js';
import { broadcastTensor } from './elementwise.js';
import type { OpContext, OpImpl } from './op-context.js';

function shapeOp(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const rank = shape.length;
  // Opset 15 added start/end to take a slice of the shape; negative values count from the back.
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
  const start = clamp(ctx.node.attrs.int('start', 0));
  const end = clamp(ctx.node.attrs.int('end', rank));
  const dims = shape.slice(start, Math.max(start, end));
  return [HostTensor.of('int64', [dims.length], dims)];
}

function sizeOp(ctx: OpContext): Value[] {
  return [HostTensor.scalar('int64', sizeOf(ctx.shape(0)))];
}

/** Shape-only change: host values are re-viewed, tfjs tensors reshaped. */
function reshapeTo(ctx: OpContext, shape: number[]): Value {
  const host = ctx.peekHost(0);
  return host ? host.reshape(shape) : tf.reshape(ctx.tensor(0), shape);
}

function reshape(ctx: OpContext): Value[] {
  const inputShape = ctx.shape(0);
  const requested = ctx.ints(1);
  const allowZero = ctx.node.attrs.int('allowzero', 0) === 1;
  // 0 copies the input's dimension (unless allowzero); one -1 is inferred from the element count.
  const shape = requested.map((d, i) => (d === 0 && !allowZero ? inputShape[i]! : d));
  const inferred = shape.indexOf(-1);
  if (inferred >= 0) {
    const known = shape.reduce((a, d, i) => (i === inferred ? a : a * d), 1);
    shape[inferred] = known === 0 ? 0 : sizeOf(inputShape) / known;
  }
  if (sizeOf(shape) !== sizeOf(inputShape) || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
    throw ctx.error(`cannot reshape [${inputShape.join(',')}] to [${requested.join(',')}]`);
  }
  return [reshapeTo(ctx, shape)];
}

function flatten(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const axis = ctx.node.attrs.int('axis', 1);
  const split = axis < 0 ? axis + shape.length : axis;
  if (split < 0 || split > shape.length)
    throw ctx.error(`axis ${axis} is out of range for rank ${shape.length}`);
  return [reshapeTo(ctx, [sizeOf(shape.slice(0, split)), sizeOf(shape.slice(split))])];
}

/** Squeeze/Unsqueeze axes: an attribute before opset 13, an input from 13. */
function axesArgument(ctx: OpContext): number[] | undefined {
  return ctx.opset >= 13
    ? ctx.optionalInts(1)
    : ctx.node.attrs.has('axes')
      ? ctx.node.attrs.ints('axes')
      : undefined;
}

function squeeze(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const given = axesArgument(ctx);
  const axes = given
    ? given.map((a) => normalizeAxis(a, shape.length, ctx.what))
    : shape.flatMap((d, i) => (d === 1 ? [i] : []));
  for (const axis of axes) {
    if (shape[axis] !== 1)
      throw ctx.error(`cannot squeeze axis ${axis} of shape [${shape.join(',')}]: not 1`);
  }
  return [
    reshapeTo(
      ctx,
      shape.filter((_, i) => !axes.includes(i)),
    ),
  ];
}

function unsqueeze(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const given = axesArgument(ctx);
  if (!given) throw ctx.error('needs axes');
  const rank = shape.length + given.length;
  const axes = new Set(given.map((a) => normalizeAxis(a, rank, ctx.what)));
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < rank; i++) out.push(axes.has(i) ? 1 : shape[next++]!);
  return [reshapeTo(ctx, out)];
}

function concat(ctx: OpContext): Value[] {
  const count = ctx.inputCount;
  const rank = ctx.shape(0).length;
  const axis = normalizeAxis(ctx.node.attrs.int('axis'), rank, ctx.what);
  const shapes = Array.from({ length: count }, (_, i) => ctx.shape(i));
  for (const shape of shapes) {
    if (shape.length !== rank || shape.some((d, k) => k !== axis && d !== shapes[0]![k])) {
      throw ctx.error(`inputs [${shapes.map((s) => `[${s.join(',')}]`).join(', ')}] differ off axis ${axis}`);
    }
  }
  const outShape = [...shapes[0]!];
  outShape[axis] = shapes.reduce((a, s) => a + s[axis]!, 0);
  if (ctx.allHost() && ctx.fitsHost(sizeOf(outShape))) {
    const hosts = Array.from({ length: count }, (_, i) => ctx.host(i));
    const outer = sizeOf(outShape.slice(0, axis));
    const data: number[] = [];
    for (let o = 0; o < outer; o++) {
      for (const h of hosts) {
        const block = sizeOf(h.shape.slice(axis));
        for (let k = 0; k < block; k++) data.push(h.data[o * block + k]!);
      }
    }
    return [HostTensor.of(hosts[0]!.dtype, outShape, data)];
  }
  // Empty inputs (an empty KV cache) add nothing; tfjs kernels are happier without them.
  const parts = Array.from({ length: count }, (_, i) => i).filter((i) => sizeOf(shapes[i]!) > 0);
  if (parts.length === 0) return [tf.zeros(outShape, ctx.tensor(0).dtype)];
  if (parts.length === 1) return [tf.clone(ctx.tensor(parts[0]!))];
  return [
    tf.concat(
      parts.map((i) => ctx.tensor(i)),
      axis,
    ),
  ];
}

function split(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const axis = normalizeAxis(ctx.node.attrs.int('axis', 0), shape.length, ctx.what);
  const outputs = ctx.node.outputs.length;
  const dim = shape[axis]!;
  // Split sizes: an attribute before opset 13, an input from 13; else equal parts (the last may be smaller).
  let sizes =
    ctx.opset >= 13
      ? ctx.optionalInts(1)
      : ctx.node.attrs.has('split')
        ? ctx.node.attrs.ints('split')
        : undefined;
  if (!sizes) {
    const parts = ctx.node.attrs.int('num_outputs', outputs);
    const chunk = Math.ceil(dim / parts);
    sizes = Array.from({ length: parts }, (_, i) => Math.max(0, Math.min(chunk, dim - i * chunk)));
  }
  if (sizes.reduce((a, b) => a + b, 0) !== dim) {
    throw ctx.error(
      `split sizes [${sizes.join(',')}] do not add up to dimension ${axis} of [${shape.join(',')}]`,
    );
  }
  const host = ctx.peekHost(0);
  if (host) {
    let offset = 0;
    return sizes.map((size) => {
      const piece = sliceHost(host, axis, offset, size);
      offset += size;
      return piece;
    });
  }
  return tf.split(ctx.tensor(0), sizes, axis);
}

function sliceHost(host: HostTensor, axis: number, start: number, size: number): HostTensor {
  const outer = sizeOf(host.shape.slice(0, axis));
  const inner = sizeOf(host.shape.slice(axis + 1));
  const dim = host.shape[axis]!;
  const data: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (let k = start * inner; k < (start + size) * inner; k++) data.push(host.data[o * dim * inner + k]!);
  }
  const shape = [...host.shape];
  shape[axis] = size;
  return new HostTensor(host.dtype, shape, data);
}

function transpose(ctx: OpContext): Value[] {
  const shape = ctx.shape(0);
  const perm = ctx.node.attrs.ints(
    'perm',
    shape.map((_, i) => shape.length - 1 - i),
  );
  const host = ctx.peekHost(0);
  if (host) {
    const outShape = perm.map((p) => shape[p]!);
    const inStrides = stridesOf(shape);
    const outStrides = stridesOf(outShape);
    const data = new Array<number>(host.size);
    for (let flat = 0; flat < host.size; flat++) {
      let source = 0;
      for (let d = 0; d < perm.length; d++) {
        source += (Math.floor(flat / outStrides[d]!) % outShape[d]!) * inStrides[perm[d]!]!;
      }
      data[flat] = host.data[source]!;
    }
    return [new HostTensor(host.dtype, outShape, data)];
  }
  return [tf.transpose(ctx.tensor(0), perm)];
}

function expand(ctx: OpContext): Value[] {
  const inputShape = ctx.shape(0);
  // Expand broadcasts both ways: a 1 in the requested shape keeps the input's dimension.
  const outShape = broadcastShapes(inputShape, ctx.ints(1), ctx.what);
  const host = ctx.peekHost(0);
  if (host && ctx.fitsHost(sizeOf(outShape))) {
    const index = broadcastIndex(inputShape, outShape);
    const data = Array.from({ length: sizeOf(outShape) }, (_, flat) => host.data[index(flat)]!);
    return [new HostTensor(host.dtype, outShape, data)];
  }
  return [broadcastTensor(ctx.tensor(0), outShape)];
}

function tile(ctx: OpContext): Value[] {
  return [tf.tile(ctx.tensor(0), ctx.ints(1))];
}

function identity(ctx: OpContext): Value[] {
  // A clone, not the same tensor: each graph value owns its tensor, so freeing one never frees another.
  const host = ctx.peekHost(0);
  return [host ?? tf.clone(ctx.tensor(0))];
}

function dropout(ctx: OpContext): Value[] {
  // Inference: the identity, and an all-true mask when the graph asks for one.
  const [out] = identity(ctx);
  if (ctx.node.outputs.length < 2) return [out!];
  return [out!, tf.ones(ctx.shape(0) as number[], 'bool')];
}

function castValues(dtype: OnnxDType, values: readonly number[]): number[] {
  if (dtype === 'bool') return values.map((v) => (v ? 1 : 0));
  return [...values];
}

function castTo(ctx: OpContext, dtype: OnnxDType): Value[] {
  if (dtype === 'string') throw ctx.error('casting to string is not supported');
  const host = ctx.peekHost(0);
  if (host) return [HostTensor.of(dtype, host.shape, castValues(dtype, host.data))];
  const x = ctx.tensor(0);
  const target = tfDTypeOf(dtype);
  if (x.dtype === target) return [tf.clone(x)];
  // "Not zero" rather than tf.cast: the wasm backend's float -> bool cast returns raw bytes.
  if (target === 'bool') return [tf.notEqual(x, tf.zerosLike(x))];
  return [tf.cast(x, target)];
}

function cast(ctx: OpContext): Value[] {
  return castTo(ctx, dtypeFromCode(ctx.node.attrs.int('to'), ctx.what));
}

function castLike(ctx: OpContext): Value[] {
  return castTo(ctx, ctx.dtype(1));
}

/** A constant tensor from an attribute: small ones stay on the host, large ones become tfjs tensors. */
function constantValue(ctx: OpContext, dtype: OnnxDType, shape: number[], values: ArrayLike<number>): Value {
  if (ctx.fitsHost(values.length)) return HostTensor.of(dtype, shape, Array.from(values));
  const tfDType = tfDTypeOf(dtype);
  if (tfDType === 'int32') assertFitsInt32(values, ctx.what);
  return tf.tensor(values as Float32Array, shape, tfDType);
}

function constant(ctx: OpContext): Value[] {
  const attrs = ctx.node.attrs;
  if (attrs.has('value')) {
    const t = attrs.tensor('value');
    return [constantValue(ctx, t.dtype, t.shape, t.values)];
  }
  if (attrs.has('value_float')) return [HostTensor.scalar('float32', attrs.float('value_float'))];
  if (attrs.has('value_int')) return [HostTensor.scalar('int64', attrs.int('value_int'))];
  if (attrs.has('value_floats')) {
    const values = attrs.floats('value_floats');
    return [HostTensor.of('float32', [values.length], values)];
  }
  if (attrs.has('value_ints')) {
    const values = attrs.ints('value_ints');
    return [HostTensor.of('int64', [values.length], values)];
  }
  throw ctx.error(
    `only value, value_float(s) and value_int(s) are supported; got [${attrs.names().join(', ')}]`,
  );
}

function constantOfShape(ctx: OpContext): Value[] {
  const shape = ctx.ints(0);
  let dtype: OnnxDType = 'float32';
  let value = 0;
  if (ctx.node.attrs.has('value')) {
    const t = ctx.node.attrs.tensor('value');
    dtype = t.dtype;
    value = t.values[0] ?? 0;
  }
  const size = sizeOf(shape);
  if (ctx.fitsHost(size)) return [HostTensor.of(dtype, shape, new Array<number>(size).fill(value))];
  return [tf.fill(shape, value, tfDTypeOf(dtype))];
}

function range(ctx: OpContext): Value[] {
  const [start, limit, delta] = [ctx.scalar(0), ctx.scalar(1), ctx.scalar(2)];
  const dtype = ctx.dtype(0);
  const count = Math.max(Math.ceil((limit - start) / delta), 0);
  if (ctx.fitsHost(count)) {
    return [
      HostTensor.of(
        dtype,
        [count],
        Array.from({ length: count }, (_, i) => start + i * delta),
      ),
    ];
  }
  return [tf.range(start, start + count * delta, delta, tfDTypeOf(dtype) === 'int32' ? 'int32' : 'float32')];
}

export const SHAPE_OPS: Record<string, OpImpl> = {
  Shape: shapeOp,
  Size: sizeOp,
  Reshape: reshape,
  Flatten: flatten,
  Squeeze: squeeze,
  Unsqueeze: unsqueeze,
  Concat: concat,
  Split: split,
  Transpose: transpose,
  Expand: expand,
  Tile: tile,
  Identity: identity,
  Dropout: dropout,
  Cast: cast,
  CastLike: castLike,
  Constant: constant,
  ConstantOfShape: constantOfShape,
  Range: range,
};
