/** Run a resolved CLIP folder with onnxruntime-node and @huggingface/tokenizers, as a consumer would. */
import { readFileSync } from 'node:fs';
import { Tokenizer } from '@huggingface/tokenizers';
import * as ort from 'onnxruntime-node';
import type { ClipModelConfig, ResolvedModel } from '../../src/index.js';

export function loadTokenizer(model: ResolvedModel): Tokenizer {
  const json = JSON.parse(readFileSync(model.files.tokenizer!.path, 'utf8'));
  const configPath = model.files.tokenizer!.path.replace(/tokenizer\.json$/, 'tokenizer_config.json');
  const config = JSON.parse(readFileSync(configPath, 'utf8'));
  return new Tokenizer(json, config);
}

export async function session(path: string): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
}

/** Ids padded with the pad id to `length` (the JS tokenizer does not pad), as int64. */
export function padIds(rows: readonly number[][], length: number, padId: number): ort.Tensor {
  const data = new BigInt64Array(rows.length * length).fill(BigInt(padId));
  rows.forEach((ids, r) => {
    if (ids.length > length) throw new Error(`${ids.length} tokens exceed the context length ${length}`);
    ids.forEach((id, i) => {
      data[r * length + i] = BigInt(id);
    });
  });
  return new ort.Tensor('int64', data, [rows.length, length]);
}

/** Grayscale bytes [N,28,28] -> CLIP-normalised RGB float32 [N,3,28,28]. */
export function pixelValues(gray: Uint8Array, count: number, config: ClipModelConfig): ort.Tensor {
  const hw = config.imageSize * config.imageSize;
  const out = new Float32Array(count * 3 * hw);
  for (let n = 0; n < count; n++) {
    for (let c = 0; c < 3; c++) {
      const mean = config.imageMean[c]!;
      const std = config.imageStd[c]!;
      for (let p = 0; p < hw; p++) out[(n * 3 + c) * hw + p] = (gray[n * hw + p]! / 255 - mean) / std;
    }
  }
  return new ort.Tensor('float32', out, [count, 3, config.imageSize, config.imageSize]);
}

/** Rows of a [N,D] float tensor, L2-normalised. */
export function normalisedRows(t: ort.Tensor): Float32Array[] {
  const [n, d] = t.dims as [number, number];
  const data = t.data as Float32Array;
  return Array.from({ length: n }, (_, i) => {
    const row = data.slice(i * d, (i + 1) * d);
    const norm = Math.hypot(...row);
    return row.map((v) => v / norm);
  });
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function argmax(values: readonly number[]): number {
  return values.reduce((best, v, i) => (v > values[best]! ? i : best), 0);
}
