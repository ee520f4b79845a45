// MatMul (numpy semantics: 1-D operands, broadcast batch dims) and Gemm.
import { attrFloat, attrInt } from '../forward-graph.js';
import type { RuleContext, RuleTable } from './rule.js';

/** Swaps the last two axes of a value of the given rank. */
function swapLast(c: RuleContext, x: string, rank: number): string {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 1] = rank - 2;
  perm[rank - 2] = rank - 1;
  return c.e.op('Transpose', [x], { perm });
}

export const MATMUL_RULES: RuleTable = {
  MatMul: {
    vjp: (c) => {
      const [a, b, y] = [c.input(0), c.input(1), c.output(0)];
      const dy = c.dy()!;
      const ra = c.rank(a);
      const rb = c.rank(b);
      const e = c.e;
      let da: string | undefined;
      let db: string | undefined;
      if (ra === 1 && rb === 1) {
        da = c.wants(0) ? e.op('Mul', [dy, b]) : undefined;
        db = c.wants(1) ? e.op('Mul', [dy, a]) : undefined;
        return [da, db];
      }
      if (rb === 1) {
        // y[..., m] = Σ_k a[..., m, k] b[k]
        const dyCol = e.unsqueeze(dy, [-1]);
        if (c.wants(0)) da = e.unbroadcast(e.op('Mul', [dyCol, b]), a, a);
        if (c.wants(1)) db = e.reduceSum(e.op('Mul', [dyCol, a]), range(0, ra - 1), false);
        return [da, db];
      }
      if (ra === 1) {
        // y[..., n] = Σ_k a[k] b[..., k, n]
        const dyRow = e.unsqueeze(dy, [-2]);
        if (c.wants(0)) da = e.reduceSum(e.op('Mul', [dyRow, b]), [...range(0, rb - 2), rb - 1], false);
        if (c.wants(1)) db = e.unbroadcast(e.op('Mul', [e.unsqueeze(a, [-1]), dyRow]), b, b);
        return [da, db];
      }
      const yRank = Math.max(ra, rb);
      if (c.wants(0)) da = sumToOperand(c, e.op('MatMul', [dy, swapLast(c, b, rb)]), a, ra, yRank);
      if (c.wants(1)) db = sumToOperand(c, e.op('MatMul', [swapLast(c, a, ra), dy]), b, rb, yRank);
      void y;
      return [da, db];
    },
  },
  Gemm: {
    vjp: (c) => {
      const e = c.e;
      const [a, b] = [c.input(0), c.input(1)];
      const dy = c.dy()!;
      const alpha = attrFloat(c.node, 'alpha', 1);
      const beta = attrFloat(c.node, 'beta', 1);
      const transA = attrInt(c.node, 'transA', 0);
      const transB = attrInt(c.node, 'transB', 0);
      const gemm = (x: string, w: string, ta: number, tb: number) =>
        e.op('Gemm', [x, w], { alpha: { float: alpha }, transA: ta, transB: tb });
      // A' = transA ? Aᵀ : A, B' likewise; dA' = α dy B'ᵀ, dB' = α A'ᵀ dy.
      const da = c.wants(0) ? (transA ? gemm(b, dy, transB, 1) : gemm(dy, b, 0, transB ? 0 : 1)) : undefined;
      const db = c.wants(1) ? (transB ? gemm(dy, a, 1, transA) : gemm(a, dy, transA ? 0 : 1, 0)) : undefined;
      let dc: string | undefined;
      if (c.node.inputs[2] && c.wants(2)) {
        const scaled = beta === 1 ? dy : e.op('Mul', [dy, e.scalarLike(beta, c.output(0))]);
        dc = e.unbroadcast(scaled, c.input(2), c.output(0));
      }
      return [da, db, dc];
    },
  },
};

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

/** `full` has the output's batch dims (rank yRank); sum away those the operand `x` (rank rx) broadcast over. */
function sumToOperand(c: RuleContext, full: string, x: string, rx: number, yRank: number): string {
  const lead = yRank - rx;
  const summed = lead > 0 ? c.e.reduceSum(full, range(0, lead), false) : full;
  // Batch dims of size 1 in x that the other operand broadcast over are summed at run time.
  return rx <= 2 ? summed : c.e.unbroadcast(summed, x, summed);
}
