// Elementwise ops. Binary ops broadcast, so each input's gradient is summed back to its own shape.
import type { GradientRule, RuleContext, RuleTable } from './rule.js';

function unary(f: (ctx: RuleContext, dy: string) => string): GradientRule {
  return { differentiable: [0], vjp: (ctx) => [f(ctx, ctx.dy()!)] };
}

/** Binary op: `da`/`db` give the gradient before it is summed to the input's shape. */
function binary(
  da: ((ctx: RuleContext, dy: string) => string) | undefined,
  db: ((ctx: RuleContext, dy: string) => string) | undefined,
): GradientRule {
  return {
    differentiable: db ? [0, 1] : [0],
    vjp: (ctx) => {
      const dy = ctx.dy()!;
      const y = ctx.output(0);
      return [
        ctx.wants(0) && da ? ctx.e.unbroadcast(da(ctx, dy), ctx.input(0), y) : undefined,
        ctx.wants(1) && db ? ctx.e.unbroadcast(db(ctx, dy), ctx.input(1), y) : undefined,
      ];
    },
  };
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
const ONE_OVER_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

export const ELEMENTWISE_RULES: RuleTable = {
  Add: binary(
    (_c, dy) => dy,
    (_c, dy) => dy,
  ),
  Sub: binary(
    (_c, dy) => dy,
    (c, dy) => c.e.op('Neg', [dy]),
  ),
  Mul: binary(
    (c, dy) => c.e.op('Mul', [dy, c.input(1)]),
    (c, dy) => c.e.op('Mul', [dy, c.input(0)]),
  ),
  // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b.
  Div: binary(
    (c, dy) => c.e.op('Div', [dy, c.input(1)]),
    (c, dy) => c.e.op('Neg', [c.e.op('Mul', [dy, c.e.op('Div', [c.output(0), c.input(1)])])]),
  ),
  // d(a^b)/da = b·a^(b−1); d(a^b)/db = a^b·ln a.
  Pow: binary(
    (c, dy) => {
      const b = c.e.castLike(c.input(1), c.input(0));
      const bMinus1 = c.e.op('Sub', [b, c.e.scalarLike(1, b)]);
      return c.e.op('Mul', [dy, c.e.op('Mul', [b, c.e.op('Pow', [c.input(0), bMinus1])])]);
    },
    (c, dy) => c.e.op('Mul', [dy, c.e.op('Mul', [c.output(0), c.e.op('Log', [c.input(0)])])]),
  ),
  Max: minMax('Greater'),
  Min: minMax('Less'),
  Neg: unary((c, dy) => c.e.op('Neg', [dy])),
  Identity: unary((_c, dy) => dy),
  Exp: unary((c, dy) => c.e.op('Mul', [dy, c.output(0)])),
  Log: unary((c, dy) => c.e.op('Div', [dy, c.input(0)])),
  Sqrt: unary((c, dy) => c.e.op('Div', [c.e.op('Mul', [dy, c.e.scalarLike(0.5, c.output(0))]), c.output(0)])),
  Reciprocal: unary((c, dy) =>
    c.e.op('Neg', [c.e.op('Mul', [dy, c.e.op('Mul', [c.output(0), c.output(0)])])]),
  ),
  Abs: unary((c, dy) => c.e.op('Mul', [dy, c.e.op('Sign', [c.input(0)])])),
  Sin: unary((c, dy) => c.e.op('Mul', [dy, c.e.op('Cos', [c.input(0)])])),
  Cos: unary((c, dy) => c.e.op('Neg', [c.e.op('Mul', [dy, c.e.op('Sin', [c.input(0)])])])),
  Tanh: unary((c, dy) => {
    const y = c.output(0);
    return c.e.op('Mul', [dy, c.e.op('Sub', [c.e.scalarLike(1, y), c.e.op('Mul', [y, y])])]);
  }),
  Sigmoid: unary((c, dy) => {
    const y = c.output(0);
    return c.e.op('Mul', [dy, c.e.op('Mul', [y, c.e.op('Sub', [c.e.scalarLike(1, y), y])])]);
  }),
  Relu: unary((c, dy) => {
    const x = c.input(0);
    const zero = c.e.scalarLike(0, x);
    return c.e.op('Where', [c.e.op('Greater', [x, zero]), dy, c.e.scalarLike(0, c.output(0))]);
  }),
  // d erf(x)/dx = 2/√π · e^(−x²).
  Erf: unary((c, dy) => {
    const x = c.input(0);
    const g = c.e.op('Exp', [c.e.op('Neg', [c.e.op('Mul', [x, x])])]);
    return c.e.op('Mul', [dy, c.e.op('Mul', [g, c.e.scalarLike(TWO_OVER_SQRT_PI, x)])]);
  }),
  Gelu: unary(geluGrad),
  Softplus: unary((c, dy) => c.e.op('Mul', [dy, c.e.op('Sigmoid', [c.input(0)])])),
  Cast: {
    differentiable: [0],
    vjp: (c) => [c.e.castLike(c.dy()!, c.input(0))],
  },
  CastLike: {
    differentiable: [0],
    vjp: (c) => [c.e.op('CastLike', [c.dy()!, c.input(0)])],
  },
  Dropout: {
    // Inference mode only (no training_mode input set to true): Dropout is the identity.
    differentiable: [0],
    vjp: (c) => {
      if (c.node.inputs[2])
        throw new Error(`Dropout node '${c.node.name}' with a training_mode input has no VJP rule`);
      return [c.dy()!];
    },
  },
  Where: {
    differentiable: [1, 2],
    vjp: (c) => {
      const dy = c.dy()!;
      const y = c.output(0);
      const zero = c.e.scalarLike(0, c.output(0));
      const cond = c.input(0);
      return [
        undefined,
        c.wants(1) ? c.e.unbroadcast(c.e.op('Where', [cond, dy, zero]), c.input(1), y) : undefined,
        c.wants(2) ? c.e.unbroadcast(c.e.op('Where', [cond, zero, dy]), c.input(2), y) : undefined,
      ];
    },
  },
  Sum: {
    vjp: (c) =>
      c.node.inputs.map((_, i) =>
        c.wants(i) ? c.e.unbroadcast(c.dy()!, c.input(i), c.output(0)) : undefined,
      ),
  },
};

/** The gradient goes to the input that won (ties: to the first, as onnxruntime's training does). */
function minMax(compare: 'Greater' | 'Less'): GradientRule {
  return {
    vjp: (c) => {
      const dy = c.dy()!;
      const y = c.output(0);
      const zero = c.e.scalarLike(0, c.output(0));
      const first = c.e.op('Not', [c.e.op(compare, [c.input(1), c.input(0)])]);
      return [
        c.wants(0) ? c.e.unbroadcast(c.e.op('Where', [first, dy, zero]), c.input(0), y) : undefined,
        c.wants(1) ? c.e.unbroadcast(c.e.op('Where', [first, zero, dy]), c.input(1), y) : undefined,
      ];
    },
  };
}

/** Exact GELU: Φ(x) + x·φ(x); tanh GELU: the derivative of 0.5·x·(1 + tanh(√(2/π)(x + 0.044715x³))). */
function geluGrad(c: RuleContext, dy: string): string {
  const e = c.e;
  const x = c.input(0);
  const approximate = (c.node.proto.attribute ?? []).find((a) => a.name === 'approximate');
  const tanhMode = approximate?.s && new TextDecoder().decode(approximate.s as Uint8Array) === 'tanh';
  const k = (v: number) => e.scalarLike(v, x);
  if (!tanhMode) {
    const cdf = e.op('Mul', [k(0.5), e.op('Add', [k(1), e.op('Erf', [e.op('Mul', [x, k(Math.SQRT1_2)])])])]);
    const pdf = e.op('Mul', [
      k(ONE_OVER_SQRT_2PI),
      e.op('Exp', [e.op('Mul', [k(-0.5), e.op('Mul', [x, x])])]),
    ]);
    return e.op('Mul', [dy, e.op('Add', [cdf, e.op('Mul', [x, pdf])])]);
  }
  const x2 = e.op('Mul', [x, x]);
  const inner = e.op('Mul', [
    k(SQRT_2_OVER_PI),
    e.op('Add', [x, e.op('Mul', [k(0.044715), e.op('Mul', [x2, x])])]),
  ]);
  const t = e.op('Tanh', [inner]);
  const dInner = e.op('Mul', [k(SQRT_2_OVER_PI), e.op('Add', [k(1), e.op('Mul', [k(3 * 0.044715), x2])])]);
  const sech2 = e.op('Sub', [k(1), e.op('Mul', [t, t])]);
  const left = e.op('Mul', [k(0.5), e.op('Add', [k(1), t])]);
  const right = e.op('Mul', [e.op('Mul', [k(0.5), x]), e.op('Mul', [sech2, dInner])]);
  return e.op('Mul', [dy, e.op('Add', [left, right])]);
}
