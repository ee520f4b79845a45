import { tf } from '@attune/tensor';
import {
  broadcastShapes,
  HostTensor,
  hostElementwise,
  isFloatDType,
  type OnnxDType,
  sizeOf,
} from '../host-tensor.js';
import type { Value } from '../values.js';
import type { OpContext, OpImpl } from './op-context.js';

/** Unary ops: the tfjs form, and a JS form for small host values (shape arithmetic, constant folding). */
interface UnaryOp {
  readonly tensor: (x: tf.Tensor, ctx: OpContext) => tf.Tensor;
  readonly host?: (x: number, ctx: OpContext) => number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

const UNARY: Record<string, UnaryOp> = {
  Abs: { tensor: (x) => tf.abs(x), host: Math.abs },
  Neg: { tensor: (x) => tf.neg(x), host: (x) => -x },
  Sqrt: { tensor: (x) => tf.sqrt(x), host: Math.sqrt },
  Exp: { tensor: (x) => tf.exp(x), host: Math.exp },
  Log: { tensor: (x) => tf.log(x), host: Math.log },
  Reciprocal: { tensor: (x) => tf.reciprocal(x), host: (x) => 1 / x },
  Floor: { tensor: (x) => tf.floor(x), host: Math.floor },
  Ceil: { tensor: (x) => tf.ceil(x), host: Math.ceil },
  // ONNX and tfjs both round half to even.
  Round: { tensor: (x) => tf.round(x), host: roundHalfToEven },
  Sign: { tensor: (x) => tf.sign(x), host: Math.sign },
  Sin: { tensor: (x) => tf.sin(x), host: Math.sin },
  Cos: { tensor: (x) => tf.cos(x), host: Math.cos },
  Tan: { tensor: (x) => tf.tan(x), host: Math.tan },
  Tanh: { tensor: (x) => tf.tanh(x), host: Math.tanh },
  Erf: { tensor: (x) => tf.erf(x) },
  Sigmoid: { tensor: (x) => tf.sigmoid(x), host: (x) => 1 / (1 + Math.exp(-x)) },
  Relu: { tensor: (x) => tf.relu(x), host: (x) => Math.max(0, x) },
  Softplus: { tensor: (x) => tf.softplus(x) },
  Softsign: { tensor: (x) => tf.div(x, tf.add(tf.abs(x), 1)) },
  LeakyRelu: { tensor: (x, ctx) => tf.leakyRelu(x, ctx.node.attrs.float('alpha', 0.01)) },
  Elu: {
    // tf.elu has a fixed alpha of 1; ONNX's is an attribute: max(x,0) + alpha * (exp(min(x,0)) - 1).
    tensor: (x, ctx) => {
      const alpha = ctx.node.attrs.float('alpha', 1);
      if (alpha === 1) return tf.elu(x);
      return tf.add(tf.relu(x), tf.mul(tf.sub(tf.exp(tf.minimum(x, 0)), 1), alpha));
    },
  },
  HardSigmoid: {
    tensor: (x, ctx) =>
      tf.clipByValue(
        tf.add(tf.mul(x, ctx.node.attrs.float('alpha', 0.2)), ctx.node.attrs.float('beta', 0.5)),
        0,
        1,
      ),
  },
  Gelu: {
    tensor: (x, ctx) => {
      const approximate = ctx.node.attrs.string('approximate', 'none');
      if (approximate === 'tanh') {
        const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), SQRT_2_OVER_PI);
        return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
      }
      if (approximate !== 'none')
        throw ctx.error(`approximate must be 'none' or 'tanh', got '${approximate}'`);
      return tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
    },
  },
  Not: { tensor: (x) => tf.logicalNot(x), host: (x) => (x ? 0 : 1) },
};

function roundHalfToEven(x: number): number {
  const rounded = Math.round(x);
  return Math.abs(x % 1) === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

function unary(op: UnaryOp): OpImpl {
  return (ctx) => {
    if (op.host && ctx.allHost()) {
      const x = ctx.host(0);
      return [
        HostTensor.of(
          x.dtype,
          x.shape,
          x.data.map((v) => op.host!(v, ctx)),
        ),
      ];
    }
    return [op.tensor(ctx.tensor(0), ctx)];
  };
}

/** Binary ops with numpy broadcasting. `host` computes one element; `resultType` picks the output dtype. */
interface BinaryOp {
  readonly tensor: (a: tf.Tensor, b: tf.Tensor, ctx: OpContext) => tf.Tensor;
  readonly host: (a: number, b: number, dtype: OnnxDType, ctx: OpContext) => number;
  readonly boolResult?: boolean;
}

const BINARY: Record<string, BinaryOp> = {
  Add: { tensor: (a, b) => tf.add(a, b), host: (a, b) => a + b },
  Sub: { tensor: (a, b) => tf.sub(a, b), host: (a, b) => a - b },
  Mul: { tensor: (a, b) => tf.mul(a, b), host: (a, b) => a * b },
  Div: {
    tensor: (a, b) => (a.dtype === 'int32' ? truncatingDivide(a, b) : tf.div(a, b)),
    host: (a, b, dtype) => (isFloatDType(dtype) ? a / b : Math.trunc(a / b)),
  },
  Pow: { tensor: power, host: (a, b) => a ** b },
  Mod: {
    tensor: (a, b, ctx) => (ctx.node.attrs.int('fmod', 0) ? truncatingMod(a, b) : tf.mod(a, b)),
    host: (a, b, _dtype, ctx) => (ctx.node.attrs.int('fmod', 0) ? a % b : a - Math.floor(a / b) * b),
  },
  Equal: { tensor: (a, b) => tf.equal(a, b), host: (a, b) => +(a === b), boolResult: true },
  Less: { tensor: (a, b) => tf.less(a, b), host: (a, b) => +(a < b), boolResult: true },
  LessOrEqual: { tensor: (a, b) => tf.lessEqual(a, b), host: (a, b) => +(a <= b), boolResult: true },
  Greater: { tensor: (a, b) => tf.greater(a, b), host: (a, b) => +(a > b), boolResult: true },
  GreaterOrEqual: { tensor: (a, b) => tf.greaterEqual(a, b), host: (a, b) => +(a >= b), boolResult: true },
  And: { tensor: (a, b) => tf.logicalAnd(a, b), host: (a, b) => +(a && b), boolResult: true },
  Or: { tensor: (a, b) => tf.logicalOr(a, b), host: (a, b) => +(a || b), boolResult: true },
  Xor: { tensor: (a, b) => tf.logicalXor(a, b), host: (a, b) => +(!a !== !b), boolResult: true },
};

/** ONNX integer Div truncates toward zero; tfjs's int32 div floors. */
function truncatingDivide(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const quotient = tf.div(tf.cast(a, 'float32'), tf.cast(b, 'float32'));
  return tf.cast(tf.mul(tf.sign(quotient), tf.floor(tf.abs(quotient))), 'int32');
}

/** C fmod: the remainder takes the dividend's sign. */
function truncatingMod(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  const floatA = tf.cast(a, 'float32');
  const floatB = tf.cast(b, 'float32');
  const quotient = tf.div(floatA, floatB);
  const truncated = tf.mul(tf.sign(quotient), tf.floor(tf.abs(quotient)));
  return tf.cast(tf.sub(floatA, tf.mul(truncated, floatB)), a.dtype);
}

/** Pow with the exponent's dtype following the base (ONNX allows them to differ); x^2 as a square. */
function power(base: tf.Tensor, exponent: tf.Tensor, ctx: OpContext): tf.Tensor {
  const known = ctx.peekHost(1);
  if (known?.size === 1 && known.shape.length <= base.rank) {
    if (known.data[0] === 2) return tf.square(base);
    if (known.data[0] === 1) return tf.clone(base);
  }
  return tf.pow(base, exponent.dtype === base.dtype ? exponent : tf.cast(exponent, base.dtype));
}

function binary(op: BinaryOp): OpImpl {
  return (ctx) => {
    if (ctx.allHost()) {
      const a = ctx.host(0);
      const b = ctx.host(1);
      if (ctx.fitsHost(sizeOf(broadcastShapes(a.shape, b.shape, ctx.what)))) {
        const dtype = a.dtype;
        return [
          hostElementwise([a, b], op.boolResult ? 'bool' : dtype, ([x, y]) => op.host(x!, y!, dtype, ctx)),
        ];
      }
    }
    return [op.tensor(ctx.tensor(0), ctx.tensor(1), ctx)];
  };
}

/** Min, Max, Sum, Mean: any number of inputs, broadcast together. */
function variadic(
  combine: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
  hostCombine: (values: number[]) => number,
  finish?: (sum: tf.Tensor, count: number) => tf.Tensor,
): OpImpl {
  return (ctx) => {
    const count = ctx.inputCount;
    if (ctx.allHost()) {
      const hosts = Array.from({ length: count }, (_, i) => ctx.host(i));
      const shape = hosts.reduce<number[]>((acc, t) => broadcastShapes(acc, t.shape, ctx.what), []);
      if (ctx.fitsHost(sizeOf(shape))) return [hostElementwise(hosts, hosts[0]!.dtype, hostCombine)];
    }
    // Broadcast explicitly: tfjs's Maximum/Minimum gradients do not reduce broadcast dimensions back.
    const shape = Array.from({ length: count }, (_, i) => ctx.shape(i)).reduce<number[]>(
      (acc, s) => broadcastShapes(acc, s, ctx.what),
      [],
    );
    const lift = (t: tf.Tensor) => (t.shape.join() === shape.join() ? t : broadcastTensor(t, shape));
    let result = lift(ctx.tensor(0));
    for (let i = 1; i < count; i++) result = combine(result, lift(ctx.tensor(i)));
    if (count === 1) result = tf.clone(result);
    return [finish ? finish(result, count) : result];
  };
}

/** tf.broadcastTo after padding the rank with leading 1s (broadcastTo wants equal ranks). */
export function broadcastTensor(t: tf.Tensor, shape: readonly number[]): tf.Tensor {
  const padded =
    t.rank < shape.length ? tf.reshape(t, [...Array(shape.length - t.rank).fill(1), ...t.shape]) : t;
  return tf.broadcastTo(padded, [...shape]);
}

function where(ctx: OpContext): Value[] {
  if (ctx.allHost()) {
    const [condition, x, y] = [ctx.host(0), ctx.host(1), ctx.host(2)];
    const shape = [condition, x, y].reduce<number[]>((acc, t) => broadcastShapes(acc, t.shape, ctx.what), []);
    if (ctx.fitsHost(sizeOf(shape))) {
      return [hostElementwise([condition, x, y], x.dtype, ([c, a, b]) => (c ? a! : b!))];
    }
  }
  return [tf.where(tf.cast(ctx.tensor(0), 'bool'), ctx.tensor(1), ctx.tensor(2))];
}

/** Clip bounds: attributes before opset 11, optional scalar inputs from 11; absent bounds are open. */
function clip(ctx: OpContext): Value[] {
  const fromInputs = ctx.opset >= 11;
  const low = fromInputs ? (ctx.has(1) ? ctx.scalar(1) : -Infinity) : ctx.node.attrs.float('min', -Infinity);
  const high = fromInputs ? (ctx.has(2) ? ctx.scalar(2) : Infinity) : ctx.node.attrs.float('max', Infinity);
  const host = ctx.peekHost(0);
  if (host)
    return [
      HostTensor.of(
        host.dtype,
        host.shape,
        host.data.map((v) => Math.min(Math.max(v, low), high)),
      ),
    ];
  return [tf.clipByValue(ctx.tensor(0), low, high)];
}

export const ELEMENTWISE_OPS: Record<string, OpImpl> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([name, op]) => [name, unary(op)])),
  ...Object.fromEntries(Object.entries(BINARY).map(([name, op]) => [name, binary(op)])),
  Min: variadic(tf.minimum, (v) => Math.min(...v)),
  Max: variadic(tf.maximum, (v) => Math.max(...v)),
  Sum: variadic(tf.add, (v) => v.reduce((a, b) => a + b, 0)),
  Mean: variadic(
    tf.add,
    (v) => v.reduce((a, b) => a + b, 0) / v.length,
    (sum, count) => tf.div(sum, count),
  ),
  Where: where,
  Clip: clip,
};
