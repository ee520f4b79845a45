/**
 * Decoding one batch of rows to their ends: sample a token per live row, feed the new tokens through
 * the cache, repeat. Each row draws from its own random stream, so its tokens do not depend on which
 * other rows share the batch.
 */
import type { OnnxSession } from '@attune/backend-onnx';
import type { Rng } from '@attune/tensor';
import type { Generation } from './causal-lm.js';
import { DecodeBatch, type DecoderLayout, type KvCache } from './kv-decoder.js';
import type { ResolvedGenerateOptions } from './lm-input-checks.js';
import { chooseToken } from './token-sampling.js';

export interface GenerationRow {
  /** Position in the caller's prefix list: names the row's random stream. */
  readonly index: number;
  readonly prefix: readonly number[];
  /**
   * The key/value cache of at least the prefix's first prefix.length − 1 tokens: those are reused, not
   * recomputed, and only the last prefix token is fed. Either every row of a batch has one or none has.
   */
  readonly cache?: KvCache;
}

/**
 * Finished rows are dropped from the batch (their cache rows gathered out) once they make up this share
 * of it. Dropping copies the whole cache once, about what one decode step costs in cache traffic, so
 * waiting for a few rows amortises the copy while long-tail rows still stop paying for finished ones.
 */
export const DROP_FINISHED_SHARE = 1 / 8;

interface RowState {
  readonly tokens: number[];
  readonly logProbs: number[];
  stopReason: Generation['stopReason'] | undefined;
  cache?: KvCache;
}

export async function generateBatch(
  session: OnnxSession,
  layout: DecoderLayout,
  padTokenId: number,
  rows: readonly GenerationRow[],
  options: ResolvedGenerateOptions,
  rng: Rng,
  onRowsDone: (count: number) => void,
  /** Share of finished rows that triggers dropping them (the benchmark compares settings). */
  dropFinishedShare = DROP_FINISHED_SHARE,
  /** Return each row's cache (prefix + every new token but the last) with its generation. */
  returnCaches = false,
): Promise<Generation[]> {
  const { maxNewTokens, temperature, stopTokens } = options;
  const states: RowState[] = rows.map(() => ({ tokens: [], logProbs: [], stopReason: undefined }));
  const streams = temperature > 0 ? rows.map((r) => rng.fork(r.index)) : undefined;
  const scratch = new Float64Array(layout.vocabSize);
  const batch = new DecodeBatch(session, layout, rows.length);
  // slots[j]: which row (index into `rows`) sits at batch row j.
  let slots = rows.map((_, i) => i);
  let live = rows.length;
  let finishedInBatch = 0;
  try {
    const cached = rows.filter((r) => r.cache !== undefined).length;
    if (cached === rows.length) {
      await batch.prefillFromCaches(
        rows.map((r) => r.cache!),
        rows.map((r) => r.prefix.length - 1),
        rows.map((r) => r.prefix[r.prefix.length - 1]!),
      );
    } else if (cached === 0) {
      await batch.prefill(
        rows.map((r) => r.prefix),
        padTokenId,
      );
    } else {
      throw new Error(`${cached} of ${rows.length} rows of a batch have a prefix cache: give all or none`);
    }
    for (;;) {
      let next = new Int32Array(slots.length).fill(padTokenId);
      let doneNow = 0;
      for (let j = 0; j < slots.length; j++) {
        const i = slots[j]!;
        const state = states[i]!;
        if (state.stopReason) continue;
        const { token, logProb } = chooseToken(batch.lastLogits(j), temperature, streams?.[i], scratch);
        if (stopTokens.has(token)) {
          state.stopReason = 'stop';
        } else {
          state.tokens.push(token);
          state.logProbs.push(logProb);
          next[j] = token;
          if (state.tokens.length >= maxNewTokens) state.stopReason = 'length';
          else if (rows[i]!.prefix.length + state.tokens.length >= layout.contextLength)
            state.stopReason = 'context';
        }
        if (state.stopReason) {
          doneNow++;
          if (returnCaches) state.cache = batch.rowCache(j);
        }
      }
      live -= doneNow;
      finishedInBatch += doneNow;
      if (doneNow > 0) onRowsDone(doneNow);
      if (live === 0) break;
      if (finishedInBatch >= Math.max(1, Math.ceil(slots.length * dropFinishedShare))) {
        const keep = slots.flatMap((i, j) => (states[i]!.stopReason ? [] : [j]));
        batch.keepRows(keep);
        next = Int32Array.from(keep, (j) => next[j]!);
        slots = keep.map((j) => slots[j]!);
        finishedInBatch = 0;
      }
      await batch.step(next);
    }
  } finally {
    batch.dispose();
  }
  return states.map((s) => ({
    tokens: s.tokens,
    logProbs: s.logProbs,
    stopReason: s.stopReason!,
    ...(s.cache ? { cache: s.cache } : {}),
  }));
}
