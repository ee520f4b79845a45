import { tf } from '@attune/tensor';
import { broadcastShapes, sizeOf } from '../host-tensor.js';
import type { Value } from '../values.js';
import { broadcastTensor } from './elementwise.js';
import type { OpContext, OpImpl } from './op-context.js';

/**
 * numpy matmul semantics on tfjs. tfjs's BatchMatMul gradient does not reduce broadcast batch dimensions,
 * so batch dimensions are broadcast explicitly (tf.broadcastTo's gradient sums them back).
 */
function numpyMatMul(a: tf.Tensor, b: tf.Tensor, what: string): tf.Tensor {
  const vectorA = a.rank === 1;
  const vectorB = b.rank === 1;
  const left = vectorA ? tf.reshape(a, [1, a.shape[0]!]) : a;
  const right = vectorB ? tf.reshape(b, [b.shape[0]!, 1]) : b;
  const inner = left.shape[left.rank - 1];
  if (inner !== right.shape[right.rank - 2]) {
    throw new Error(`${what}: cannot multiply [${a.shape.join(',')}] by [${b.shape.join(',')}]`);
  }
  let product: tf.Tensor;
  if (right.rank === 2) {
    // The common x @ W case: fold every leading dimension of x into the rows of one 2-D product.
    const rows = left.shape.slice(0, -1);
    const flat = tf.matMul(tf.reshape(left, [-1, inner!]), right);
    product = tf.reshape(flat, [...rows, right.shape[1]!]);
  } else {
    const batch = broadcastShapes(left.shape.slice(0, -2), right.shape.slice(0, -2), what);
    const lift = (t: tf.Tensor) => {
      const target = [...batch, ...t.shape.slice(-2)];
      return t.shape.join() === target.join() ? t : broadcastTensor(t, target);
    };
    const l = lift(left);
    const r = lift(right);
    const rows = l.shape[l.rank - 2]!;
    const cols = r.shape[r.rank - 1]!;
    const batched = tf.matMul(
      tf.reshape(l, [Math.max(sizeOf(batch), 1), rows, inner!]),
      tf.reshape(r, [Math.max(sizeOf(batch), 1), inner!, cols]),
    );
    product = tf.reshape(batched, [...batch, rows, cols]);
  }
  if (vectorA) product = tf.squeeze(product, [product.rank - 2]);
  if (vectorB) product = tf.squeeze(product, [product.rank - 1]);
  return product;
}

function matMul(ctx: OpContext): Value[] {
  return [numpyMatMul(ctx.tensor(0), ctx.tensor(1), ctx.what)];
}

function gemm(ctx: OpContext): Value[] {
  const attrs = ctx.node.attrs;
  const alpha = attrs.float('alpha', 1);
  const beta = attrs.float('beta', 1);
  let result = tf.matMul(
    ctx.tensor(0),
    ctx.tensor(1),
    attrs.int('transA', 0) === 1,
    attrs.int('transB', 0) === 1,
  );
  if (alpha !== 1) result = tf.mul(result, alpha);
  if (ctx.has(2) && beta !== 0) {
    const c = ctx.tensor(2);
    result = tf.add(result, beta === 1 ? c : tf.mul(c, beta));
  }
  return [result];
}

/** One einsum operand: its tensor and the index letter of each axis. */
interface Term {
  tensor: tf.Tensor;
  labels: string[];
}

/**
 * Einsum by pairwise contraction: each step sums out indices no later operand or the output needs, then
 * turns the pair into one batched matmul. tfjs's own einsum has no gradient; this one is built from
 * differentiable ops. Repeated indices within one operand (diagonals) are not supported.
 */
function einsum(ctx: OpContext): Value[] {
  const equation = ctx.node.attrs.string('equation').replace(/\s+/g, '');
  const [lhs, explicitOutput] = equation.split('->') as [string, string | undefined];
  const operandSpecs = lhs.split(',');
  if (operandSpecs.length !== ctx.inputCount) {
    throw ctx.error(
      `equation '${equation}' names ${operandSpecs.length} operands, the node has ${ctx.inputCount}`,
    );
  }
  const ellipsisRank = Math.max(
    0,
    ...operandSpecs.map((spec, i) => (spec.includes('...') ? ctx.shape(i).length - (spec.length - 3) : 0)),
  );
  // Ellipsis dimensions get digit labels, which the equation's letters cannot collide with.
  const ellipsisLabels = Array.from({ length: ellipsisRank }, (_, i) => String(i));
  const expand = (spec: string, rank: number) => {
    const labels = spec.split('...').map((part) => [...part]);
    if (labels.length === 1) return labels[0]!;
    const own = rank - labels[0]!.length - labels[1]!.length;
    return [...labels[0]!, ...ellipsisLabels.slice(ellipsisRank - own), ...labels[1]!];
  };
  const terms: Term[] = operandSpecs.map((spec, i) => {
    const labels = expand(spec, ctx.shape(i).length);
    if (labels.length !== ctx.shape(i).length) {
      throw ctx.error(`operand ${i} '${spec}' does not match its shape [${ctx.shape(i).join(',')}]`);
    }
    if (new Set(labels).size !== labels.length) {
      throw ctx.error(`repeated index within operand '${spec}' (a diagonal) is not supported`);
    }
    return { tensor: ctx.tensor(i), labels };
  });
  let output: string[];
  if (explicitOutput !== undefined) {
    output = expand(explicitOutput, ellipsisRank + explicitOutput.replace('...', '').length);
  } else {
    // Implicit output: the ellipsis dims, then every letter that appears once, in alphabetical order.
    const counts = new Map<string, number>();
    for (const t of terms) for (const l of t.labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    const once = [...counts].filter(([l, n]) => n === 1 && !ellipsisLabels.includes(l)).map(([l]) => l);
    output = [...ellipsisLabels, ...once.sort()];
  }

  // Labels still needed after operand i: the output's and those of the operands after i.
  const neededAfter = (i: number) => new Set([...output, ...terms.slice(i + 1).flatMap((t) => t.labels)]);
  let current = sumOut(terms[0]!, neededAfter(0));
  for (let i = 1; i < terms.length; i++) {
    const right = sumOut(terms[i]!, new Set([...neededAfter(i), ...current.labels]));
    current = contract(current, right, neededAfter(i));
  }
  current = sumOut(current, new Set(output));
  const perm = output.map((l) => current.labels.indexOf(l));
  if (perm.some((p) => p < 0)) throw ctx.error(`output index in '${equation}' is missing from the operands`);
  return [perm.every((p, i) => p === i) ? tf.clone(current.tensor) : tf.transpose(current.tensor, perm)];
}

/** Sums over the labels of `term` that are not in `keep`. */
function sumOut(term: Term, keep: Set<string>): Term {
  const axes = term.labels.flatMap((l, i) => (keep.has(l) ? [] : [i]));
  if (axes.length === 0) return term;
  return { tensor: tf.sum(term.tensor, axes), labels: term.labels.filter((l) => keep.has(l)) };
}

/** Contracts two terms into one, keeping the labels in `keep` (plus the ones both share that are kept). */
function contract(a: Term, b: Term, keep: Set<string>): Term {
  const inB = new Set(b.labels);
  const inA = new Set(a.labels);
  const batch = a.labels.filter((l) => inB.has(l) && keep.has(l));
  const summed = a.labels.filter((l) => inB.has(l) && !keep.has(l));
  const leftOnly = a.labels.filter((l) => !inB.has(l));
  const rightOnly = b.labels.filter((l) => !inA.has(l));
  const dim = (t: Term, l: string) => t.tensor.shape[t.labels.indexOf(l)]!;
  for (const l of [...batch, ...summed]) {
    if (dim(a, l) !== dim(b, l)) {
      throw new Error(
        `Einsum: index '${l}' has size ${dim(a, l)} in one operand and ${dim(b, l)} in another`,
      );
    }
  }
  const arrange = (t: Term, order: string[]) => {
    const perm = order.map((l) => t.labels.indexOf(l));
    return perm.every((p, i) => p === i) ? t.tensor : tf.transpose(t.tensor, perm);
  };
  const size = (t: Term, labels: string[]) => labels.reduce((acc, l) => acc * dim(t, l), 1);
  const left = tf.reshape(arrange(a, [...batch, ...leftOnly, ...summed]), [
    size(a, batch),
    size(a, leftOnly),
    size(a, summed),
  ]);
  const right = tf.reshape(arrange(b, [...batch, ...summed, ...rightOnly]), [
    size(b, batch),
    size(b, summed),
    size(b, rightOnly),
  ]);
  const product = tf.matMul(left, right);
  const labels = [...batch, ...leftOnly, ...rightOnly];
  const shape = [
    ...batch.map((l) => dim(a, l)),
    ...leftOnly.map((l) => dim(a, l)),
    ...rightOnly.map((l) => dim(b, l)),
  ];
  return { tensor: tf.reshape(product, shape), labels };
}

export const MATMUL_OPS: Record<string, OpImpl> = {
  MatMul: matMul,
  Gemm: gemm,
  Einsum: einsum,
};
