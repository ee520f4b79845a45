// Softmax family, LayerNormalization, Conv.
import { attrFloat, attrInt, attrInts, attrString } from '../forward-graph.js';
import type { GradientRule, RuleContext, RuleTable } from './rule.js';

/**
 * Softmax and LogSoftmax reduce over one axis from opset 13; before, over every axis from `axis` on (the
 * input seen as 2-D). Both cases run as a 2-D or 1-axis problem here.
 */
function softmaxLike(log: boolean): GradientRule {
  return {
    differentiable: [0],
    vjp: (c) => {
      const e = c.e;
      const y = c.output(0);
      let dy = c.dy()!;
      let yy = y;
      let axis = attrInt(c.node, 'axis', c.opset >= 13 ? -1 : 1);
      const coerced = c.opset < 13;
      if (coerced) {
        dy = e.op('Flatten', [dy], { axis });
        yy = e.op('Flatten', [y], { axis });
        axis = 1;
      }
      let dx: string;
      if (log) {
        // dx = dy − softmax · Σ dy
        dx = e.op('Sub', [dy, e.op('Mul', [e.op('Exp', [yy]), e.reduceSum(dy, [axis], true)])]);
      } else {
        // dx = y · (dy − Σ dy·y)
        const dot = e.reduceSum(e.op('Mul', [dy, yy]), [axis], true);
        dx = e.op('Mul', [yy, e.op('Sub', [dy, dot])]);
      }
      return [coerced ? e.op('Reshape', [dx, e.shape(c.input(0))]) : dx];
    },
  };
}

/**
 * LayerNormalization over axes [axis, rank): with x̂ = (x − μ)·σ⁻¹ and g = dy·scale,
 * dx = σ⁻¹ (g − mean(g) − x̂ · mean(g·x̂)); dscale = Σ dy·x̂ and dbias = Σ dy over the other axes.
 * μ and σ⁻¹ are recomputed (the forward node's optional outputs are not relied on).
 */
const layerNorm: GradientRule = {
  vjp: (c) => {
    const e = c.e;
    const x = c.input(0);
    const scale = c.input(1);
    const dy = c.dy(0);
    if (!dy)
      throw new Error(
        `VJP: LayerNormalization node '${c.node.name}': only the output Y can carry a cotangent`,
      );
    if (c.dy(1) || c.dy(2))
      throw new Error(
        `VJP: LayerNormalization node '${c.node.name}': Mean/InvStdDev outputs on the path have no rule`,
      );
    const axis = attrInt(c.node, 'axis', -1);
    const epsilon = attrFloat(c.node, 'epsilon', 1e-5);
    let axes: number[];
    if (axis < 0) axes = Array.from({ length: -axis }, (_, i) => axis + i);
    else {
      const rank = c.rank(x);
      axes = Array.from({ length: rank - axis }, (_, i) => axis + i);
    }
    const mean = e.reduceMean(x, axes, true);
    const centered = e.op('Sub', [x, mean]);
    const variance = e.reduceMean(e.op('Mul', [centered, centered]), axes, true);
    const invStd = e.op('Reciprocal', [e.op('Sqrt', [e.op('Add', [variance, e.scalarLike(epsilon, x)])])]);
    const xHat = e.op('Mul', [centered, invStd]);
    const y = c.output(0);
    let dx: string | undefined;
    if (c.wants(0)) {
      const g = e.op('Mul', [dy, scale]);
      const meanG = e.reduceMean(g, axes, true);
      const meanGX = e.reduceMean(e.op('Mul', [g, xHat]), axes, true);
      dx = e.op('Mul', [invStd, e.op('Sub', [e.op('Sub', [g, meanG]), e.op('Mul', [xHat, meanGX])])]);
    }
    const dScale = c.wants(1) ? e.unbroadcast(e.op('Mul', [dy, xHat]), scale, y) : undefined;
    const dBias = c.node.inputs[2] && c.wants(2) ? e.unbroadcast(dy, c.input(2), y) : undefined;
    return [dx, dScale, dBias];
  },
};

/**
 * Conv w.r.t. its input (the weights are constants in attune's use): the transposed convolution of the
 * cotangent with the same kernel. output_padding restores rows a strided conv dropped; it is computed from
 * static shapes, so strided convs need them.
 */
const conv: GradientRule = {
  differentiable: [0],
  vjp: (c) => {
    const e = c.e;
    const x = c.input(0);
    const w = c.input(1);
    const dy = c.dy()!;
    const autoPad = attrString(c.node, 'auto_pad', 'NOTSET');
    if (autoPad !== 'NOTSET')
      throw new Error(
        `VJP: Conv node '${c.node.name}' with auto_pad=${autoPad} has no rule (explicit pads only)`,
      );
    const rank = c.rank(x);
    const spatial = rank - 2;
    const strides = attrInts(c.node, 'strides') ?? new Array(spatial).fill(1);
    const dilations = attrInts(c.node, 'dilations') ?? new Array(spatial).fill(1);
    const pads = attrInts(c.node, 'pads') ?? new Array(2 * spatial).fill(0);
    const group = attrInt(c.node, 'group', 1);
    const attrs: Record<string, number[] | number> = { strides, dilations, pads, group };
    if (strides.some((s) => s !== 1)) {
      const xs = c.e.forward.known.get(x)?.shape;
      const ws = c.e.forward.known.get(w)?.shape;
      if (!xs || !ws || xs.slice(2).some((d) => d === null) || ws.slice(2).some((d) => d === null)) {
        throw new Error(
          `VJP: strided Conv node '${c.node.name}' needs static spatial shapes for its gradient`,
        );
      }
      attrs.output_padding = xs.slice(2).map((d, i) => {
        const k = (ws[i + 2]! - 1) * dilations[i]! + 1;
        const out = Math.floor((d! + pads[i]! + pads[i + spatial]! - k) / strides[i]!) + 1;
        return d! - ((out - 1) * strides[i]! - pads[i]! - pads[i + spatial]! + k);
      });
    }
    return [e.op('ConvTranspose', [dy, w], attrs), undefined, undefined];
  },
};

export const NN_RULES: RuleTable = {
  Softmax: softmaxLike(false),
  LogSoftmax: softmaxLike(true),
  LayerNormalization: layerNorm,
  Conv: conv,
};

export type { RuleContext };
