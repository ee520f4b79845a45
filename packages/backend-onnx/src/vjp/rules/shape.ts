// Ops that move values without changing them: the gradient moves back the same way.
import { attrInt, attrInts } from '../forward-graph.js';
import type { GradientRule, RuleContext, RuleTable } from './rule.js';

/** Any op whose output holds the input's elements in the same order: reshape the cotangent back. */
const reshapeBack: GradientRule = {
  differentiable: [0],
  vjp: (c) => [c.e.op('Reshape', [c.dy()!, c.e.shape(c.input(0))])],
};

/** Starts of each input along the concat axis, as 1-element int64 tensors, at run time. */
function sizesAlong(c: RuleContext, names: readonly string[], axis: number): string[] {
  return names.map((name) => c.e.op('Gather', [c.e.shape(name), c.e.int64([axis])]));
}

export const SHAPE_RULES: RuleTable = {
  Reshape: reshapeBack,
  Flatten: reshapeBack,
  Squeeze: reshapeBack,
  Unsqueeze: reshapeBack,
  Expand: {
    differentiable: [0],
    vjp: (c) => [c.e.unbroadcast(c.dy()!, c.input(0), c.output(0))],
  },
  Transpose: {
    differentiable: [0],
    vjp: (c) => {
      const perm = attrInts(c.node, 'perm');
      // The default (reversed axes) is its own inverse.
      if (!perm) return [c.e.op('Transpose', [c.dy()!])];
      const inverse = new Array<number>(perm.length);
      perm.forEach((p, i) => {
        inverse[p] = i;
      });
      return [c.e.op('Transpose', [c.dy()!], { perm: inverse })];
    },
  },
  Concat: {
    vjp: (c) => {
      const axis = attrInt(c.node, 'axis', 0);
      const dy = c.dy()!;
      const sizes = sizesAlong(c, c.node.inputs, axis);
      const axes = c.e.int64([axis]);
      let start = c.e.int64([0]);
      return c.node.inputs.map((_, i) => {
        const end = c.e.op('Add', [start, sizes[i]!]);
        const grad = c.wants(i) ? c.e.op('Slice', [dy, start, end, axes]) : undefined;
        start = end;
        return grad;
      });
    },
  },
  Split: {
    differentiable: [0],
    vjp: (c) => {
      const axis = attrInt(c.node, 'axis', 0);
      const parts = c.node.outputs.map((name, i) => c.dy(i) ?? c.e.zerosLike(name));
      return [c.e.op('Concat', parts, { axis })];
    },
  },
  Slice: {
    differentiable: [0],
    vjp: (c) => [sliceGrad(c)],
  },
  Gather: {
    differentiable: [0],
    vjp: (c) => [gatherGrad(c)],
  },
  GatherElements: {
    differentiable: [0],
    vjp: (c) => {
      needsOpset(c, 16, 'ScatterElements with reduction');
      const axis = attrInt(c.node, 'axis', 0);
      const x = c.input(0);
      const indices = normalizedIndices(c, c.input(1), x, axis);
      const zeros = c.e.zerosLike(x);
      return [c.e.op('ScatterElements', [zeros, indices, c.dy()!], { axis, reduction: 'add' })];
    },
  },
  ScatterElements: {
    // data gets the cotangent where nothing was written; updates get the cotangent at their targets.
    differentiable: [0, 2],
    vjp: (c) => {
      const axis = attrInt(c.node, 'axis', 0);
      const dy = c.dy()!;
      const indices = normalizedIndices(c, c.input(1), c.input(0), axis);
      const dData = c.wants(0)
        ? c.e.op('ScatterElements', [dy, indices, c.e.zerosLike(c.input(2))], { axis })
        : undefined;
      const dUpdates = c.wants(2) ? c.e.op('GatherElements', [dy, indices], { axis }) : undefined;
      return [dData, undefined, dUpdates];
    },
  },
  TopK: {
    differentiable: [0],
    vjp: (c) => {
      needsOpset(c, 16, 'ScatterElements with reduction');
      const axis = attrInt(c.node, 'axis', -1);
      const x = c.input(0);
      const dy = c.dy(0);
      if (!dy) return [c.e.zerosLike(x)];
      return [c.e.op('ScatterElements', [c.e.zerosLike(x), c.output(1), dy], { axis, reduction: 'add' })];
    },
  },
  Tile: {
    differentiable: [0],
    vjp: (c) => {
      // y = tile(x, r): view dy as [r0, d0, r1, d1, ...] and sum over the r axes.
      const x = c.input(0);
      const rank = c.rank(x);
      const e = c.e;
      const repeats = c.input(1);
      const xShape = e.shape(x);
      const pairs: string[] = [];
      for (let i = 0; i < rank; i++) {
        pairs.push(e.op('Gather', [repeats, e.int64([i])]), e.op('Gather', [xShape, e.int64([i])]));
      }
      const viewed = e.op('Reshape', [c.dy()!, e.op('Concat', pairs, { axis: 0 })]);
      const summed = e.reduceSum(
        viewed,
        Array.from({ length: rank }, (_, i) => 2 * i),
        false,
      );
      return [summed];
    },
  },
};

function needsOpset(c: RuleContext, min: number, what: string): void {
  if (c.opset < min) {
    throw new Error(
      `VJP: the gradient of ${c.node.opType} node '${c.node.name}' needs ${what} (opset ${min}); the model imports opset ${c.opset}`,
    );
  }
}

/** Negative indices count from the end of `axis`; scatter ops want them made non-negative. */
function normalizedIndices(c: RuleContext, indices: string, data: string, axis: number): string {
  const e = c.e;
  const asInt64 = c.elemType(indices) === 7 ? indices : e.op('Cast', [indices], { to: 7 });
  const size = e.op('Gather', [e.shape(data), e.int64([axis], true)]);
  const zero = e.int64([0], true);
  return e.op('Where', [e.op('Less', [asInt64, zero]), e.op('Add', [asInt64, size]), asInt64]);
}

/**
 * Gather along `axis`: move that axis first (if it is not), scatter-add the cotangent rows into zeros with
 * ScatterND, and move it back.
 */
function gatherGrad(c: RuleContext): string {
  needsOpset(c, 16, 'ScatterND with reduction');
  const e = c.e;
  const x = c.input(0);
  const indices = c.input(1);
  const dy = c.dy()!;
  const rank = c.rank(x);
  const axis = ((attrInt(c.node, 'axis', 0) % rank) + rank) % rank;
  const idx = normalizedIndices(c, indices, x, axis);
  const target = e.unsqueeze(idx, [-1]);
  if (axis === 0) return e.op('ScatterND', [e.zerosLike(x), target, dy], { reduction: 'add' });
  // dy is x.shape[:axis] + indices.shape + x.shape[axis+1:]: bring the index dims first.
  const idxRank = c.rank(indices);
  const dyPerm = [
    ...Array.from({ length: idxRank }, (_, i) => axis + i),
    ...Array.from({ length: axis }, (_, i) => i),
    ...Array.from({ length: rank - axis - 1 }, (_, i) => axis + idxRank + i),
  ];
  const xPerm = [axis, ...Array.from({ length: rank }, (_, i) => i).filter((i) => i !== axis)];
  const inverse = new Array<number>(rank);
  xPerm.forEach((p, i) => {
    inverse[p] = i;
  });
  const zeros = e.op('Transpose', [e.zerosLike(x)], { perm: xPerm });
  const moved = e.op('Transpose', [dy], { perm: dyPerm });
  const scattered = e.op('ScatterND', [zeros, target, moved], { reduction: 'add' });
  return e.op('Transpose', [scattered], { perm: inverse });
}

/**
 * Slice with unit steps: pad the cotangent with zeros back to the input's size. Starts/ends are clamped at
 * run time the way Slice clamps them.
 */
function sliceGrad(c: RuleContext): string {
  const e = c.e;
  const x = c.input(0);
  const dy = c.dy()!;
  if (c.opset < 10)
    throw new Error(`VJP: Slice node '${c.node.name}' at opset ${c.opset} (attribute form) has no rule`);
  const steps = c.node.inputs[4] ? c.constInts(c.node.inputs[4]) : undefined;
  if (c.node.inputs[4] && (!steps || steps.some((s) => s !== 1))) {
    throw new Error(
      `VJP: Slice node '${c.node.name}' has steps other than 1 (or not constant); only unit steps have a rule`,
    );
  }
  const rank = c.rank(x);
  const starts = e.op('Cast', [c.input(1)], { to: 7 });
  const ends = e.op('Cast', [c.input(2)], { to: 7 });
  const axesInput = c.node.inputs[3];
  const nAxes = c.constInts(c.input(1))?.length ?? c.e.forward.known.get(c.input(1))?.shape?.[0];
  let axes: string;
  if (axesInput) axes = e.op('Cast', [axesInput], { to: 7 });
  else {
    if (typeof nAxes !== 'number')
      throw new Error(`VJP: Slice node '${c.node.name}': cannot tell how many axes it slices`);
    axes = e.int64(Array.from({ length: nAxes }, (_, i) => i));
  }
  const rankT = e.int64([rank], true);
  const axesN = e.op('Where', [e.op('Less', [axes, e.int64([0], true)]), e.op('Add', [axes, rankT]), axes]);
  const dims = e.op('Gather', [e.shape(x), axesN]);
  const clamp = (v: string) => {
    const wrapped = e.op('Where', [e.op('Less', [v, e.int64([0], true)]), e.op('Add', [v, dims]), v]);
    return e.op('Min', [e.op('Max', [wrapped, e.int64([0], true)]), dims]);
  };
  const begin = clamp(starts);
  const end = e.op('Max', [clamp(ends), begin]);
  const after = e.op('Sub', [dims, end]);
  if (c.opset >= 18) {
    return e.op('Pad', [dy, e.op('Concat', [begin, after], { axis: 0 }), e.scalarLike(0, x), axesN]);
  }
  // Before opset 18 Pad takes pads for every axis: scatter the sliced axes' pads into zeros of length rank.
  const zeros = e.int64(new Array(rank).fill(0));
  const full = (v: string) => e.op('ScatterElements', [zeros, axesN, v], { axis: 0 });
  return e.op('Pad', [dy, e.op('Concat', [full(begin), full(after)], { axis: 0 }), e.scalarLike(0, x)]);
}
