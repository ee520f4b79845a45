// How examples become decoder rows (DePT on a decoder-only LM, methods.md):
//   [ P (m rows) ; E(input padded to exactly s) + (α/√r)·A·B (s rows) ; label tokens (teacher forcing) ]
// The input is right-padded to s with the pad token; pad rows are masked out of attention (mask 0), so the
// label follows the input's last real token in position ids ("…\nAnswer:" then " spam"), as without padding.
// The label is " <word>" plus the end token, and the loss is on those tokens only: the logit at the input's
// last real position predicts the first label token, each label row predicts the next one.
import { composePrefix, type DeptParams, type DeptShape } from './dept.js';
import type { LmBatch, LossBatch, PromptLM } from './prompt-lm.js';

/** What happens to an input longer than s tokens. */
export type OverflowPolicy = 'truncate' | 'error';

export interface EncodedInput {
  /** BOS + the input's tokens, at most s. */
  readonly ids: readonly number[];
  /** Tokens dropped to fit s (0 when it fit). */
  readonly truncated: number;
}

/**
 * BOS + tokens of `text`, fitted to s. 'truncate' keeps BOS and the last s − 1 tokens (the question and
 * "Answer:" are at the end of every prompt; DePT's T5 tokenizer truncates the tail instead, which on a decoder
 * would cut the cue the label follows); 'error' refuses.
 */
export function encodeInput(lm: PromptLM, text: string, s: number, overflow: OverflowPolicy): EncodedInput {
  const ids = lm.tokenizer.encode(text, true);
  if (ids.length <= s) return { ids, truncated: 0 };
  if (overflow === 'error') {
    throw new Error(
      `input is ${ids.length} tokens, longer than max_length s = ${s} (overflow: 'error'); shorten it, raise maxLength (m + s + label tokens must fit the LM's ${lm.config.contextLength} positions) or use overflow 'truncate'`,
    );
  }
  return { ids: [ids[0]!, ...ids.slice(ids.length - (s - 1))], truncated: ids.length - s };
}

/** " <label>" + the end token. */
export function encodeLabel(lm: PromptLM, label: string): number[] {
  return [...lm.tokenizer.encode(` ${label}`, false), lm.config.eosTokenId];
}

export interface TrainRow {
  readonly input: EncodedInput;
  /** Label tokens including the end token. */
  readonly label: readonly number[];
}

/** Rows of the prefix plus `labelRows` more; the prefix filled in, the rest left for the caller. */
function prefixLayout(
  lm: PromptLM,
  shape: DeptShape,
  params: DeptParams,
  update: Float32Array,
  inputs: readonly EncodedInput[],
  labelRows: number,
): LmBatch {
  const { promptTokens: m, maxLength: s } = shape;
  const d = lm.dim;
  const batch = inputs.length;
  const length = m + s + labelRows;
  if (length > lm.config.contextLength) {
    throw new Error(
      `m + s + label tokens = ${m} + ${s} + ${labelRows} = ${length} exceeds the LM's ${lm.config.contextLength} positions; lower maxLength or promptTokens`,
    );
  }
  const inputsEmbeds = new Float32Array(batch * length * d);
  const attentionMask = new BigInt64Array(batch * length);
  const positionIds = new BigInt64Array(batch * length);
  const pad = lm.config.padTokenId;
  inputs.forEach((input, b) => {
    const n = input.ids.length;
    const padded = [...input.ids, ...new Array<number>(s - n).fill(pad)];
    const row = inputsEmbeds.subarray(b * length * d, (b + 1) * length * d);
    composePrefix(shape, params, lm.embed(padded), update, row);
    const base = b * length;
    for (let t = 0; t < m + n; t++) {
      attentionMask[base + t] = 1n;
      positionIds[base + t] = BigInt(t);
    }
  });
  return { batch, length, inputsEmbeds, attentionMask, positionIds };
}

/** A training batch: every row has the same length m + s + (longest label − 1). */
export function trainBatch(
  lm: PromptLM,
  shape: DeptShape,
  params: DeptParams,
  update: Float32Array,
  rows: readonly TrainRow[],
): LossBatch {
  const { promptTokens: m, maxLength: s } = shape;
  const d = lm.dim;
  const labelRows = Math.max(...rows.map((r) => r.label.length)) - 1;
  const layout = prefixLayout(
    lm,
    shape,
    params,
    update,
    rows.map((r) => r.input),
    labelRows,
  );
  const { length } = layout;
  const targetIds = new BigInt64Array(rows.length * length);
  const targetWeights = new Float32Array(rows.length * length);
  const weight = 1 / rows.reduce((sum, r) => sum + r.label.length, 0);
  rows.forEach((row, b) => {
    const n = row.input.ids.length;
    const base = b * length;
    // The input's last real position predicts the first label token.
    targetIds[base + m + n - 1] = BigInt(row.label[0]!);
    targetWeights[base + m + n - 1] = weight;
    for (let j = 0; j < row.label.length - 1; j++) {
      const t = m + s + j;
      layout.inputsEmbeds.set(lm.embed([row.label[j]!]), (base + t) * d);
      layout.attentionMask[base + t] = 1n;
      layout.positionIds[base + t] = BigInt(m + n + j);
      targetIds[base + t] = BigInt(row.label[j + 1]!);
      targetWeights[base + t] = weight;
    }
  });
  return { ...layout, targetIds, targetWeights };
}

/** Log-softmax of one row of logits at index `token`. */
function logProbAt(logits: Float32Array, offset: number, vocab: number, token: number): number {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]!);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v]! - max);
  return logits[offset + token]! - max - Math.log(sum);
}

/**
 * Greedy decoding (DePT's prediction: generate, then compare the string): up to `maxNewTokens` tokens after
 * the prefix, stopping at the end token. Full recomputation per token (labels are a few tokens long).
 */
export async function greedyDecode(
  lm: PromptLM,
  shape: DeptShape,
  params: DeptParams,
  update: Float32Array,
  inputs: readonly EncodedInput[],
  maxNewTokens: number,
): Promise<number[][]> {
  const { promptTokens: m, maxLength: s } = shape;
  const d = lm.dim;
  const vocab = lm.config.vocabSize;
  const eos = new Set(lm.config.eosTokenIds);
  const generated: number[][] = inputs.map(() => []);
  const done = inputs.map(() => false);
  for (let g = 0; g < maxNewTokens && done.some((x) => !x); g++) {
    const layout = prefixLayout(lm, shape, params, update, inputs, g);
    const { length } = layout;
    inputs.forEach((input, b) => {
      const base = b * length;
      const n = input.ids.length;
      generated[b]!.forEach((token, j) => {
        const t = m + s + j;
        layout.inputsEmbeds.set(lm.embed([token]), (base + t) * d);
        layout.attentionMask[base + t] = 1n;
        layout.positionIds[base + t] = BigInt(m + n + j);
      });
    });
    const logits = await lm.logits(layout);
    inputs.forEach((input, b) => {
      if (done[b]) return;
      const t = g === 0 ? m + input.ids.length - 1 : m + s + g - 1;
      const offset = (b * length + t) * vocab;
      let best = 0;
      for (let v = 1; v < vocab; v++) if (logits[offset + v]! > logits[offset + best]!) best = v;
      if (eos.has(best)) done[b] = true;
      else generated[b]!.push(best);
    });
  }
  return generated;
}

/**
 * The option to greedy decoding: log p(" <label>" + end | prefix) for every label word, per input. One forward
 * per label word.
 */
export async function scoreLabels(
  lm: PromptLM,
  shape: DeptShape,
  params: DeptParams,
  update: Float32Array,
  inputs: readonly EncodedInput[],
  labels: readonly string[],
): Promise<number[][]> {
  const scores = inputs.map(() => new Array<number>(labels.length).fill(0));
  const vocab = lm.config.vocabSize;
  for (const [k, label] of labels.entries()) {
    const tokens = encodeLabel(lm, label);
    const batch = trainBatch(
      lm,
      shape,
      params,
      update,
      inputs.map((input) => ({ input, label: tokens })),
    );
    const logits = await lm.logits(batch);
    for (let b = 0; b < inputs.length; b++) {
      let total = 0;
      for (let t = 0; t < batch.length; t++) {
        const i = b * batch.length + t;
        if (batch.targetWeights[i]! > 0)
          total += logProbAt(logits, i * vocab, vocab, Number(batch.targetIds[i]));
      }
      scores[b]![k] = total;
    }
  }
  return scores;
}
