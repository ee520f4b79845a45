/** Run a resolved language-model folder with onnxruntime-node directly, as a consumer would. */
import * as ort from 'onnxruntime-node';
import type { CausalLMModelConfig } from '../../src/index.js';

export function int64(rows: readonly (readonly number[])[]): ort.Tensor {
  const width = rows[0]!.length;
  const data = new BigInt64Array(rows.length * width);
  rows.forEach((row, r) => {
    if (row.length !== width) throw new Error('rows must have equal lengths');
    row.forEach((v, i) => {
      data[r * width + i] = BigInt(v);
    });
  });
  return new ort.Tensor('int64', data, [rows.length, width]);
}

export type Past = Record<string, ort.Tensor>;

/** An empty cache: [b, kvHeads, 0, headDim] per layer, key and value. */
export function emptyPast(config: CausalLMModelConfig, batch: number): Past {
  const past: Past = {};
  for (let i = 0; i < config.numLayers; i++) {
    for (const kv of ['key', 'value']) {
      past[`past_key_values.${i}.${kv}`] = new ort.Tensor('float32', new Float32Array(0), [
        batch,
        config.numKvHeads,
        0,
        config.headDim,
      ]);
    }
  }
  return past;
}

/** The outputs' present.* tensors, renamed as the next call's past_key_values.* inputs. */
export function presentAsPast(outputs: ort.InferenceSession.ReturnType): Past {
  const past: Past = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (name.startsWith('present.')) past[name.replace('present.', 'past_key_values.')] = tensor;
  }
  return past;
}

/** One decoder call over `ids` (one row, no padding) after `pastLength` cached tokens. */
export function decoderFeeds(
  ids: readonly number[],
  pastLength: number,
  past: Past,
): Record<string, ort.Tensor> {
  return {
    input_ids: int64([ids]),
    attention_mask: int64([Array(pastLength + ids.length).fill(1)]),
    position_ids: int64([ids.map((_, i) => pastLength + i)]),
    ...past,
  };
}

/** Logits row at sequence position `position` of a [1, s, vocab] logits tensor. */
export function logitsAt(logits: ort.Tensor, position: number): Float32Array {
  const vocab = logits.dims[2]!;
  return (logits.data as Float32Array).subarray(position * vocab, (position + 1) * vocab);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
