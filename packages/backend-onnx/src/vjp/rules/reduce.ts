// Reductions: the cotangent is broadcast back over the reduced axes.
import { attrInt, attrInts } from '../forward-graph.js';
import type { GradientRule, RuleContext } from './rule.js';

/** The reduced axes as an attribute list or the name of the axes input; undefined: all axes. */
function reducedAxes(c: RuleContext, axesAsInput: boolean): number[] | string | undefined {
  if (!axesAsInput) return attrInts(c.node, 'axes');
  const name = c.node.inputs[1];
  if (!name) return undefined;
  return c.constInts(name) ?? name;
}

/** dy with the reduced axes restored as size-1 dims, broadcastable against the input. */
function keptCotangent(c: RuleContext, axesAsInput: boolean): string {
  const dy = c.dy()!;
  const e = c.e;
  const x = c.input(0);
  const keep = attrInt(c.node, 'keepdims', 1) === 1;
  const axes = reducedAxes(c, axesAsInput);
  const all = axes === undefined || (Array.isArray(axes) && axes.length === 0);
  if (all && attrInt(c.node, 'noop_with_empty_axes', 0) === 1) {
    throw new Error(`VJP: ${c.node.opType} node '${c.node.name}' with noop_with_empty_axes has no rule`);
  }
  if (keep) return dy;
  if (all) {
    // Reduced to a scalar: reshape to ones of x's rank, computed at run time.
    const ones = e.op('ConstantOfShape', [e.op('Shape', [e.shape(x)])], {
      value: { tensor: { dataType: 7, dims: [1], int64Data: [1] } },
    });
    return e.op('Reshape', [dy, ones]);
  }
  return e.unsqueeze(dy, axes as number[] | string);
}

function axesInputFrom(opset: number, since: number): boolean {
  return opset >= since;
}

function sumRule(since: number, scale: 'none' | 'mean'): GradientRule {
  return {
    differentiable: [0],
    vjp: (c) => {
      const e = c.e;
      const x = c.input(0);
      let g = keptCotangent(c, axesInputFrom(c.opset, since));
      if (scale === 'mean') {
        // Mean over n elements: n = size(x) / size(y).
        const n = e.op('Div', [e.op('Size', [x]), e.op('Size', [c.output(0)])]);
        g = e.op('Div', [g, e.castLike(n, x)]);
      }
      return [e.op('Expand', [g, e.shape(x)])];
    },
  };
}

/** Max/Min: the cotangent is shared equally by the elements that attain the extreme (as torch's amax). */
function extremeRule(): GradientRule {
  return {
    differentiable: [0],
    vjp: (c) => {
      const e = c.e;
      const x = c.input(0);
      const axesAsInput = axesInputFrom(c.opset, 18);
      const g = keptCotangent(c, axesAsInput);
      const keep = attrInt(c.node, 'keepdims', 1) === 1;
      let y = c.output(0);
      if (!keep) {
        const dyName = c.dy()!;
        void dyName;
        y = e.op('Reshape', [y, e.shape(g)]);
      }
      const mask = e.castLike(e.op('Equal', [x, y]), x);
      const axes = reducedAxes(c, axesAsInput);
      const count = e.reduceSum(mask, axes, true);
      return [e.op('Mul', [mask, e.op('Div', [g, count])])];
    },
  };
}

export function reduceRules(): Record<string, GradientRule> {
  return {
    ReduceSum: sumRule(13, 'none'),
    ReduceMean: sumRule(18, 'mean'),
    ReduceMax: extremeRule(),
    ReduceMin: extremeRule(),
  };
}
