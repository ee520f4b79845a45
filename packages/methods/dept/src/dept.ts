// DePT — Decomposed Prompt Tuning. Shi & Lipani, "DePT: Decomposed Prompt Tuning for Parameter-Efficient
// Fine-tuning", ICLR 2024 (arXiv 2309.05173); code github.com/ZhengxiangShi/DePT, peft/tuners/prompt_tuning_lora.py.
//
// The trainable parameters are a short soft prompt P [m, d] and a low-rank pair A [s, r], B [r, d]. The frozen
// input embeddings E [s, d] of an input padded to exactly s tokens become E + (α/√r)·A·B (one update per input
// position, shared by all inputs), and the LM reads [P ; E + (α/√r)·A·B ; label tokens]. Vanilla prompt tuning is
// the same thing with r = 0 (a prompt of L tokens, no A·B).
//
// Initialisation (methods.md): A ~ U(−1/√r, 1/√r), B = 0 (so A·B = 0 at step 0, as LoRA), P from the token
// embeddings of an init text repeated/truncated to m tokens (PEFT's PromptTuningInit.TEXT).
//
// This file is the arithmetic only, on plain Float32Arrays (the parameters are small: m·d + s·r + r·d floats):
// composing the model's inputs_embeds from the parameters, and splitting d loss / d inputs_embeds back into
// gradients of P, A and B. The gradient through the LM comes from its ONNX VJP graph (lm-objective.ts).

/** The shapes of one adapter. */
export interface DeptShape {
  /** Soft-prompt tokens m (vanilla prompt tuning: L). */
  readonly promptTokens: number;
  /** Rank r of A·B; 0 = vanilla prompt tuning (no A, B). */
  readonly rank: number;
  /** Input positions s every input is padded (or truncated) to. */
  readonly maxLength: number;
  /** The LM's embedding width d. */
  readonly dim: number;
  /** α in the scaling α/√r (DePT: 8). */
  readonly alpha: number;
}

/** The trainable tensors, row-major. */
export interface DeptParams {
  /** P [m, d]. */
  readonly prompt: Float32Array;
  /** A [s, r] (empty when r = 0). */
  readonly loraA: Float32Array;
  /** B [r, d] (empty when r = 0). */
  readonly loraB: Float32Array;
}

/** α/√r — note the square root (DePT's code; LoRA itself uses α/r). 0 when r = 0. */
export function deptScaling(shape: Pick<DeptShape, 'rank' | 'alpha'>): number {
  return shape.rank > 0 ? shape.alpha / Math.sqrt(shape.rank) : 0;
}

/** m·d + s·r + r·d. */
export function trainableParameters(shape: DeptShape): number {
  const { promptTokens: m, rank: r, maxLength: s, dim: d } = shape;
  return m * d + s * r + r * d;
}

/**
 * The initial parameters: P from `initEmbeddings` ([n, d], the init text's token embeddings, n ≥ 1) repeated
 * and truncated to m rows; A ~ U(−1/√r, 1/√r) from `uniform` (a [0,1) source); B = 0.
 */
export function initDeptParams(
  shape: DeptShape,
  initEmbeddings: Float32Array,
  uniform: () => number,
): DeptParams {
  const { promptTokens: m, rank: r, maxLength: s, dim: d } = shape;
  const n = initEmbeddings.length / d;
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`init embeddings must be [n, ${d}] with n >= 1, got ${initEmbeddings.length} floats`);
  }
  const prompt = new Float32Array(m * d);
  for (let i = 0; i < m; i++) prompt.set(initEmbeddings.subarray((i % n) * d, (i % n) * d + d), i * d);
  const loraA = new Float32Array(s * r);
  const bound = r > 0 ? 1 / Math.sqrt(r) : 0;
  for (let i = 0; i < loraA.length; i++) loraA[i] = -bound + 2 * bound * uniform();
  return { prompt, loraA, loraB: new Float32Array(r * d) };
}

/** (α/√r)·A·B [s, d], the update added to every input's embeddings (zeros when r = 0). */
export function embeddingUpdate(shape: DeptShape, params: DeptParams): Float32Array {
  const { rank: r, maxLength: s, dim: d } = shape;
  const out = new Float32Array(s * d);
  if (r === 0) return out;
  const c = deptScaling(shape);
  const { loraA: A, loraB: B } = params;
  for (let i = 0; i < s; i++) {
    const row = out.subarray(i * d, i * d + d);
    for (let k = 0; k < r; k++) {
      const a = A[i * r + k]! * c;
      if (a === 0) continue;
      const bRow = k * d;
      for (let j = 0; j < d; j++) row[j]! += a * B[bRow + j]!;
    }
  }
  return out;
}

/**
 * Writes one example's first m + s rows of inputs_embeds: P, then the padded input's embeddings plus the
 * update. `target` is the example's [T, d] slice; `inputEmbeds` is [s, d]; `update` from embeddingUpdate.
 */
export function composePrefix(
  shape: DeptShape,
  params: DeptParams,
  inputEmbeds: Float32Array,
  update: Float32Array,
  target: Float32Array,
): void {
  const { promptTokens: m, maxLength: s, dim: d } = shape;
  target.set(params.prompt, 0);
  const offset = m * d;
  for (let i = 0; i < s * d; i++) target[offset + i] = inputEmbeds[i]! + update[i]!;
}

/**
 * Gradients of P, A, B from G = d loss / d inputs_embeds [batch, T, d] (T ≥ m + s, the prefix first):
 * dP = Σ_b G[b, :m];  dW = Σ_b G[b, m:m+s];  dA = c·dW·Bᵀ;  dB = c·Aᵀ·dW  (c = α/√r).
 */
export function splitGradient(
  shape: DeptShape,
  params: DeptParams,
  grad: Float32Array,
  batch: number,
  totalLength: number,
): DeptParams {
  const { promptTokens: m, rank: r, maxLength: s, dim: d } = shape;
  if (grad.length !== batch * totalLength * d || totalLength < m + s) {
    throw new Error(
      `expected d loss / d inputs_embeds [${batch}, T >= ${m + s}, ${d}], got ${grad.length} floats for T = ${totalLength}`,
    );
  }
  const prompt = new Float32Array(m * d);
  const dW = new Float32Array(s * d);
  for (let b = 0; b < batch; b++) {
    const base = b * totalLength * d;
    for (let i = 0; i < m * d; i++) prompt[i]! += grad[base + i]!;
    const inputBase = base + m * d;
    for (let i = 0; i < s * d; i++) dW[i]! += grad[inputBase + i]!;
  }
  const loraA = new Float32Array(s * r);
  const loraB = new Float32Array(r * d);
  if (r > 0) {
    const c = deptScaling(shape);
    const { loraA: A, loraB: B } = params;
    for (let i = 0; i < s; i++) {
      for (let k = 0; k < r; k++) {
        let acc = 0;
        for (let j = 0; j < d; j++) acc += dW[i * d + j]! * B[k * d + j]!;
        loraA[i * r + k] = c * acc;
        const a = c * A[i * r + k]!;
        if (a === 0) continue;
        for (let j = 0; j < d; j++) loraB[k * d + j]! += a * dW[i * d + j]!;
      }
    }
  }
  return { prompt, loraA, loraB };
}
