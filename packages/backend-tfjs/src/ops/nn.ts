import { tf } from '@attune/tensor';
import type { Value } from '../values.js';
import type { OpContext, OpImpl } from './op-context.js';

/** Spatial geometry of a 2-D conv or pool window, in ONNX terms. */
interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right] */
  pads: [number, number, number, number];
}

/**
 * Reads kernel/strides/dilations/pads/auto_pad for a 1-D or 2-D window. 1-D windows are lifted to 2-D with
 * a height of 1 so one tfjs code path serves both.
 */
function readWindow(ctx: OpContext, spatial: readonly number[], kernelShape: readonly number[]): Window {
  const attrs = ctx.node.attrs;
  const dims = spatial.length;
  const lift = (values: number[], fill: number): [number, number] =>
    dims === 1 ? [fill, values[0]!] : [values[0]!, values[1]!];
  const kernel = lift([...kernelShape], 1);
  const strides = lift(attrs.ints('strides', Array(dims).fill(1)), 1);
  const dilations = lift(attrs.ints('dilations', Array(dims).fill(1)), 1);
  const size = lift([...spatial], 1);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  let pads: [number, number, number, number];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    const total = [0, 1].map((d) => {
      const out = Math.ceil(size[d]! / strides[d]!);
      return Math.max((out - 1) * strides[d]! + (kernel[d]! - 1) * dilations[d]! + 1 - size[d]!, 0);
    });
    // SAME_UPPER puts the odd extra pad at the end, SAME_LOWER at the beginning.
    const begin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : Math.ceil(t / 2)));
    pads = [begin[0]!, begin[1]!, total[0]! - begin[0]!, total[1]! - begin[1]!];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad === 'NOTSET') {
    const given = attrs.ints('pads', Array(2 * dims).fill(0));
    pads = dims === 1 ? [0, given[0]!, 0, given[1]!] : [given[0]!, given[1]!, given[2]!, given[3]!];
  } else {
    throw ctx.error(`auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '${autoPad}'`);
  }
  return { kernel, strides, dilations, pads };
}

/** NCHW or NCL input -> NHWC (the layout tfjs convolutions and pools use). */
function toNHWC(x: tf.Tensor, what: string): tf.Tensor4D {
  if (x.rank === 3) return tf.transpose(tf.expandDims(x, 2), [0, 2, 3, 1]) as tf.Tensor4D;
  if (x.rank === 4) return tf.transpose(x, [0, 2, 3, 1]) as tf.Tensor4D;
  throw new Error(
    `${what}: expected an input [N,C,L] or [N,C,H,W], got [${x.shape.join(',')}] (3-D windows are not supported)`,
  );
}

function fromNHWC(y: tf.Tensor, inputRank: number): tf.Tensor {
  const nchw = tf.transpose(y, [0, 3, 1, 2]);
  return inputRank === 3 ? tf.squeeze(nchw, [2]) : nchw;
}

function explicitPadding(pads: Window['pads']): tf.backend_util.ExplicitPadding {
  return [
    [0, 0],
    [pads[0], pads[2]],
    [pads[1], pads[3]],
    [0, 0],
  ];
}

/**
 * A dilated filter as an ordinary one with zeros between the taps. tfjs has no gradient for dilated
 * convolutions, so dilation is spelled out in the filter: the products with the zeros are exact zeros.
 */
function dilateFilter(filter: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  let out: tf.Tensor = filter;
  [0, 1].forEach((axis) => {
    const rate = dilations[axis]!;
    if (rate === 1) return;
    const taps = out.shape[axis]!;
    // [.., k, ..] -> [.., k, rate, ..] with zeros after each tap -> [.., k * rate, ..] -> drop the tail.
    const spread = tf.expandDims(out, axis + 1);
    const paddings = spread.shape.map((_, i) => [0, i === axis + 1 ? rate - 1 : 0] as [number, number]);
    const interleaved = tf.reshape(
      tf.pad(spread, paddings),
      out.shape.map((d, i) => (i === axis ? d * rate : d)),
    );
    const size = interleaved.shape.map((d, i) => (i === axis ? (taps - 1) * rate + 1 : d));
    out = tf.slice(interleaved, 0, size);
  });
  return out as tf.Tensor4D;
}

function conv(ctx: OpContext): Value[] {
  const x = ctx.tensor(0);
  const weightShape = ctx.shape(1);
  const group = ctx.node.attrs.int('group', 1);
  const inChannels = x.shape[1]!;
  const outChannels = weightShape[0]!;
  if (weightShape[1]! * group !== inChannels) {
    throw ctx.error(
      `weight [${weightShape.join(',')}] with group ${group} expects ${weightShape[1]! * group} input channels, got input [${x.shape.join(',')}]`,
    );
  }
  const window = readWindow(ctx, x.shape.slice(2), ctx.node.attrs.ints('kernel_shape', weightShape.slice(2)));
  const input = toNHWC(x, ctx.what);
  const depthwise = group > 1 && group === inChannels && outChannels % inChannels === 0;

  // ONNX weights [M, C/group, kH, kW] -> tfjs filters [kH, kW, C/group, M] (depthwise: [kH, kW, C, M/C]).
  const makeFilter = (): tf.Tensor4D => {
    const w = ctx.tensor(1);
    const w4 = (w.rank === 3 ? tf.expandDims(w, 2) : w) as tf.Tensor4D;
    const filter = depthwise
      ? tf.transpose(
          tf.reshape(w4, [inChannels, outChannels / inChannels, window.kernel[0], window.kernel[1]]),
          [2, 3, 0, 1],
        )
      : tf.transpose(w4, [2, 3, 1, 0]);
    return dilateFilter(filter as tf.Tensor4D, window.dilations);
  };
  const filter = ctx.isConstant(1)
    ? (ctx.derivedConstant('filter', makeFilter) as tf.Tensor4D)
    : makeFilter();
  const pad = explicitPadding(window.pads);
  let y: tf.Tensor4D;
  if (group === 1) {
    y = tf.conv2d(input, filter, window.strides, pad, 'NHWC');
  } else if (depthwise) {
    y = tf.depthwiseConv2d(input, filter, window.strides, pad, 'NHWC');
  } else {
    // General grouped conv: one conv per group on its channel slice, outputs concatenated.
    const inputs = tf.split(input, group, 3);
    const filters = tf.split(filter, group, 3);
    const parts = inputs.map((part, g) =>
      tf.conv2d(part as tf.Tensor4D, filters[g] as tf.Tensor4D, window.strides, pad, 'NHWC'),
    );
    y = tf.concat(parts, 3);
  }
  if (ctx.has(2)) y = tf.add(y, ctx.tensor(2));
  return [fromNHWC(y, x.rank)];
}

/**
 * ConvTranspose as tfjs's full ('valid') transposed convolution, then ONNX's geometry applied by hand:
 * output_padding appends zero rows/columns (they get only the bias), pads crop from each side.
 */
function convTranspose(ctx: OpContext): Value[] {
  const x = ctx.tensor(0);
  const attrs = ctx.node.attrs;
  const weightShape = ctx.shape(1);
  const group = attrs.int('group', 1);
  const inChannels = x.shape[1]!;
  if (weightShape[0] !== inChannels) {
    throw ctx.error(
      `weight [${weightShape.join(',')}] expects ${weightShape[0]} input channels, got input [${x.shape.join(',')}]`,
    );
  }
  const dims = x.rank - 2;
  const lift = (values: number[], fill: number): [number, number] =>
    dims === 1 ? [fill, values[0]!] : [values[0]!, values[1]!];
  const kernel = lift(attrs.ints('kernel_shape', weightShape.slice(2) as number[]), 1);
  const strides = lift(attrs.ints('strides', Array(dims).fill(1)), 1);
  const dilations = lift(attrs.ints('dilations', Array(dims).fill(1)), 1);
  const outputPadding = lift(attrs.ints('output_padding', Array(dims).fill(0)), 0);
  const spatial = lift(x.shape.slice(2), 1);
  const full = [0, 1].map((d) => strides[d]! * (spatial[d]! - 1) + (kernel[d]! - 1) * dilations[d]! + 1);
  const autoPad = attrs.string('auto_pad', 'NOTSET');
  let begin: number[];
  let end: number[];
  if (attrs.has('output_shape') || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    // onnxruntime's split of the total padding (our reference): SAME_UPPER puts the odd extra at the end,
    // SAME_LOWER and an explicit output_shape at the beginning.
    const target = attrs.has('output_shape')
      ? lift(attrs.ints('output_shape').slice(-dims), 1)
      : [spatial[0]! * strides[0]!, spatial[1]! * strides[1]!];
    const total = [0, 1].map((d) => full[d]! + outputPadding[d]! - target[d]!);
    begin = total.map((t) => (autoPad === 'SAME_UPPER' ? Math.floor(t / 2) : t - Math.floor(t / 2)));
    end = total.map((t, d) => t - begin[d]!);
  } else {
    const pads = autoPad === 'VALID' ? Array(2 * dims).fill(0) : attrs.ints('pads', Array(2 * dims).fill(0));
    begin = dims === 1 ? [0, pads[0]!] : [pads[0]!, pads[1]!];
    end = dims === 1 ? [0, pads[1]!] : [pads[2]!, pads[3]!];
  }
  // ONNX weights [C, M/group, kH, kW] -> tfjs transposed-conv filters [kH, kW, M/group, C].
  const makeFilter = (): tf.Tensor4D => {
    const w = ctx.tensor(1);
    const w4 = (w.rank === 3 ? tf.expandDims(w, 2) : w) as tf.Tensor4D;
    return dilateFilter(tf.transpose(w4, [2, 3, 1, 0]) as tf.Tensor4D, dilations);
  };
  const filter = ctx.isConstant(1)
    ? (ctx.derivedConstant('filter', makeFilter) as tf.Tensor4D)
    : makeFilter();
  const input = toNHWC(x, ctx.what);
  const groupOut = weightShape[1]!;
  const transposed = (part: tf.Tensor4D, f: tf.Tensor4D) =>
    tf.conv2dTranspose(part, f, [x.shape[0]!, full[0]!, full[1]!, groupOut], strides, 'valid');
  let y: tf.Tensor =
    group === 1
      ? transposed(input, filter)
      : tf.concat(
          tf
            .split(input, group, 3)
            .map((part, g) => transposed(part as tf.Tensor4D, tf.split(filter, group, 3)[g] as tf.Tensor4D)),
          3,
        );
  if (outputPadding.some((p) => p > 0)) {
    y = tf.pad(y, [
      [0, 0],
      [0, outputPadding[0]!],
      [0, outputPadding[1]!],
      [0, 0],
    ]);
  }
  const height = full[0]! + outputPadding[0]! - begin[0]! - end[0]!;
  const width = full[1]! + outputPadding[1]! - begin[1]! - end[1]!;
  y = tf.slice(y, [0, begin[0]!, begin[1]!, 0], [-1, height, width, -1]);
  if (ctx.has(2)) y = tf.add(y, ctx.tensor(2));
  return [fromNHWC(y, x.rank)];
}

/** Rows (or columns) of an output position's window that count toward an average: inside [low, high). */
function countInside(start: number, kernel: number, low: number, high: number): number {
  return Math.max(Math.min(start + kernel, high) - Math.max(start, low), 0);
}

function pool(kind: 'max' | 'avg'): OpImpl {
  return (ctx) => {
    if (ctx.node.outputs.length > 1 && ctx.node.outputs[1])
      throw ctx.error('the Indices output is not supported');
    const x = ctx.tensor(0);
    const window = readWindow(ctx, x.shape.slice(2), ctx.node.attrs.ints('kernel_shape'));
    if (window.dilations.some((d) => d !== 1)) throw ctx.error('dilated pooling is not supported');
    const spatial = x.rank === 3 ? [1, x.shape[2]!] : [x.shape[2]!, x.shape[3]!];
    const pads = [...window.pads] as Window['pads'];
    if (ctx.node.attrs.int('ceil_mode', 0) === 1) {
      // Pad the end so that floor-mode output sizes equal ceil-mode ones; the extra cells never count.
      [0, 1].forEach((d) => {
        const padded = spatial[d]! + pads[d]! + pads[d + 2]!;
        const out = Math.ceil((padded - window.kernel[d]!) / window.strides[d]!) + 1;
        // A window may not start in the end padding (PyTorch and onnxruntime drop such a window).
        const kept = (out - 1) * window.strides[d]! >= spatial[d]! + pads[d]! ? out - 1 : out;
        pads[d + 2] =
          pads[d + 2]! + Math.max((kept - 1) * window.strides[d]! + window.kernel[d]! - padded, 0);
      });
    }
    const input = toNHWC(x, ctx.what);
    if (kind === 'max') {
      // Pad with -inf, pool without padding: the wasm backend's max-pool gradient mishandles leading pads.
      const padded = pads.some((p) => p > 0)
        ? tf.pad(input, explicitPadding(pads), Number.NEGATIVE_INFINITY)
        : input;
      return [fromNHWC(tf.maxPool(padded as tf.Tensor4D, window.kernel, window.strides, 'valid'), x.rank)];
    }

    // Average: zero-pad, pool without padding, then rescale each position by kernel size / cells that count.
    // (tfjs's own padded average pool excludes the pads forward but not in its gradient.)
    const pooled = tf.avgPool(tf.pad(input, explicitPadding(pads)), window.kernel, window.strides, 'valid');
    const includePad = ctx.node.attrs.int('count_include_pad', 0) === 1;
    const [outH, outW] = [pooled.shape[1], pooled.shape[2]];
    const scale = new Float32Array(outH * outW);
    for (let r = 0; r < outH; r++) {
      for (let c = 0; c < outW; c++) {
        const [top, left] = [r * window.strides[0] - pads[0], c * window.strides[1] - pads[1]];
        // Counted cells: the input, plus the declared pads when count_include_pad (never the ceil_mode extra).
        const rows = includePad
          ? countInside(top, window.kernel[0], -window.pads[0], spatial[0]! + window.pads[2])
          : countInside(top, window.kernel[0], 0, spatial[0]!);
        const cols = includePad
          ? countInside(left, window.kernel[1], -window.pads[1], spatial[1]! + window.pads[3])
          : countInside(left, window.kernel[1], 0, spatial[1]!);
        scale[r * outW + c] = (window.kernel[0] * window.kernel[1]) / (rows * cols);
      }
    }
    const rescaled = scale.every((v) => v === 1)
      ? pooled
      : tf.mul(pooled, tf.tensor4d(scale, [1, outH, outW, 1]));
    return [fromNHWC(rescaled, x.rank)];
  };
}

function globalPool(kind: 'max' | 'avg'): OpImpl {
  return (ctx) => {
    const x = ctx.tensor(0);
    const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
    return [kind === 'max' ? tf.max(x, axes, true) : tf.mean(x, axes, true)];
  };
}

/** [C] -> [1, C, 1, ...] so per-channel parameters broadcast over an NC... tensor. */
function perChannel(t: tf.Tensor, rank: number): tf.Tensor {
  return tf.reshape(t, [1, -1, ...Array(rank - 2).fill(1)]);
}

function batchNormalization(ctx: OpContext): Value[] {
  if (ctx.node.attrs.int('training_mode', 0) === 1)
    throw ctx.error('training_mode=1 is not supported (inference only)');
  const x = ctx.tensor(0);
  const epsilon = ctx.node.attrs.float('epsilon', 1e-5);
  // Fold to y = x * a + b with a = scale / sqrt(var + eps), b = bias - mean * a.
  const makeScale = () => tf.div(ctx.tensor(1), tf.sqrt(tf.add(ctx.tensor(4), epsilon)));
  const makeShift = () => tf.sub(ctx.tensor(2), tf.mul(ctx.tensor(3), makeScale()));
  const constant = [1, 2, 3, 4].every((i) => ctx.isConstant(i));
  const scale = constant ? ctx.derivedConstant('scale', makeScale) : makeScale();
  const shift = constant ? ctx.derivedConstant('shift', makeShift) : makeShift();
  return [tf.add(tf.mul(x, perChannel(scale, x.rank)), perChannel(shift, x.rank))];
}

function layerNormalization(ctx: OpContext): Value[] {
  const x = ctx.tensor(0);
  const axis = ctx.node.attrs.int('axis', -1);
  const start = axis < 0 ? axis + x.rank : axis;
  const axes = Array.from({ length: x.rank - start }, (_, i) => start + i);
  const epsilon = ctx.node.attrs.float('epsilon', 1e-5);
  const mean = tf.mean(x, axes, true);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axes, true);
  const invStdDev = tf.rsqrt(tf.add(variance, epsilon));
  let y = tf.mul(tf.mul(centered, invStdDev), ctx.tensor(1));
  if (ctx.has(2)) y = tf.add(y, ctx.tensor(2));
  return [y, mean, invStdDev].slice(0, ctx.node.outputs.length);
}

function instanceNormalization(ctx: OpContext): Value[] {
  const x = ctx.tensor(0);
  const axes = Array.from({ length: x.rank - 2 }, (_, i) => i + 2);
  const epsilon = ctx.node.attrs.float('epsilon', 1e-5);
  const { mean, variance } = tf.moments(x, axes, true);
  const normalized = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, epsilon)));
  return [tf.add(tf.mul(normalized, perChannel(ctx.tensor(1), x.rank)), perChannel(ctx.tensor(2), x.rank))];
}

export const NN_OPS: Record<string, OpImpl> = {
  Conv: conv,
  ConvTranspose: convTranspose,
  MaxPool: pool('max'),
  AveragePool: pool('avg'),
  GlobalMaxPool: globalPool('max'),
  GlobalAveragePool: globalPool('avg'),
  BatchNormalization: batchNormalization,
  LayerNormalization: layerNormalization,
  InstanceNormalization: instanceNormalization,
};
