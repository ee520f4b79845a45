// Checks a cut text tower against the original on real prompts: text_embeds from input_ids through the
// original graph, and from token_embedding(input_ids) + the pooled position through the cut one, must agree.
import { Tensor } from 'onnxruntime-node';
import type { OnnxBackend } from '../backend.js';
import type { ModelSource } from '../model-source.js';

export interface CutCheck {
  /** Largest |original - cut| over every text_embeds element. */
  readonly maxAbsDiff: number;
  readonly prompts: number;
}

/**
 * Runs both graphs on `ids` ([count, length] row-major) with `eotIndex` the pooled position of each row, as
 * the caller's tokenizer finds it (this is what makes the check cover the pooling convention too).
 */
export async function verifyTextEmbedsCut(
  backend: OnnxBackend,
  models: { readonly original: ModelSource; readonly cut: ModelSource; readonly tokenEmbedding: ModelSource },
  ids: Int32Array,
  count: number,
  eotIndex: Int32Array,
): Promise<CutCheck> {
  const length = ids.length / count;
  const [original, cut, embedding] = await Promise.all([
    backend.load(models.original),
    backend.load(models.cut),
    backend.load(models.tokenEmbedding),
  ]);
  try {
    const ids64 = new Tensor(
      'int64',
      BigInt64Array.from(ids, (v) => BigInt(v)),
      [count, length],
    );
    const feeds: Record<string, Tensor> = { input_ids: ids64 };
    if (original.inputNames.includes('attention_mask')) {
      const mask = new BigInt64Array(ids.length);
      eotIndex.forEach((eot, row) => {
        mask.fill(1n, row * length, row * length + eot + 1);
      });
      feeds.attention_mask = new Tensor('int64', mask, [count, length]);
    }
    const reference = (await original.run(feeds, ['text_embeds'])).text_embeds!;
    const embeds = (await embedding.run({ input_ids: ids64 }, ['inputs_embeds'])).inputs_embeds!;
    const eot = new Tensor(
      'int64',
      BigInt64Array.from(eotIndex, (v) => BigInt(v)),
      [count],
    );
    const result = (await cut.run({ inputs_embeds: embeds, eot_index: eot }, ['text_embeds'])).text_embeds!;
    const a = reference.data as Float32Array;
    const b = result.data as Float32Array;
    if (a.length !== b.length) {
      throw new Error(`the cut text tower gives ${b.length} values where the original gives ${a.length}`);
    }
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    return { maxAbsDiff: worst, prompts: count };
  } finally {
    // The original may be a session its model shares (the backend caches by file); only the cut ones go.
    await Promise.all([cut.release(), embedding.release()]);
  }
}

export interface DecoderCutCheck extends CutCheck {
  /** Largest |original - cut| per compared output. */
  readonly perOutput: Readonly<Record<string, number>>;
  readonly batches: number;
}

/** |a - b|, with NaN equal to NaN (fully masked rows) and NaN against a number infinitely far. */
function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (Number.isNaN(x) || Number.isNaN(y)) {
      if (Number.isNaN(x) !== Number.isNaN(y)) return Number.POSITIVE_INFINITY;
      continue;
    }
    worst = Math.max(worst, Math.abs(x - y));
  }
  return worst;
}

/**
 * Checks a cut decoder (decoder-embeds-entry.ts) against the original: each batch of feeds (the original
 * graph's, input_ids included: real prompts, padded as the caller pads them) runs through the original, and
 * through embed_tokens(input_ids) + the cut graph with the same other feeds; `outputs` (default logits) must agree.
 */
export async function verifyDecoderEmbedsCut(
  backend: OnnxBackend,
  models: { readonly original: ModelSource; readonly cut: ModelSource; readonly tokenEmbedding: ModelSource },
  batches: readonly Readonly<Record<string, Tensor>>[],
  outputs: readonly string[] = ['logits'],
): Promise<DecoderCutCheck> {
  const [original, cut, embedding] = await Promise.all([
    backend.load(models.original),
    backend.load(models.cut),
    backend.load(models.tokenEmbedding),
  ]);
  try {
    const perOutput: Record<string, number> = Object.fromEntries(outputs.map((o) => [o, 0]));
    let prompts = 0;
    for (const feeds of batches) {
      const ids = feeds.input_ids;
      if (!ids)
        throw new Error('verifyDecoderEmbedsCut: every batch needs input_ids (the original graph’s feeds)');
      prompts += Number(ids.dims[0]);
      const reference = await original.run(feeds, outputs);
      const embeds = (await embedding.run({ input_ids: ids }, ['inputs_embeds'])).inputs_embeds!;
      const { input_ids: _, ...rest } = feeds;
      const result = await cut.run({ ...rest, inputs_embeds: embeds }, outputs);
      for (const name of outputs) {
        const a = reference[name]!.data as Float32Array;
        const b = result[name]!.data as Float32Array;
        if (a.length !== b.length) {
          throw new Error(
            `the cut decoder gives ${b.length} values of ${name} where the original gives ${a.length}`,
          );
        }
        perOutput[name] = Math.max(perOutput[name]!, maxAbsDiff(a, b));
      }
    }
    const worst = Math.max(0, ...Object.values(perOutput));
    return { maxAbsDiff: worst, prompts, perOutput, batches: batches.length };
  } finally {
    await Promise.all([cut.release(), embedding.release()]);
  }
}
