import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tensor } from 'onnxruntime-node';

/** The ONNX files and torch outputs written by scripts/make_fixtures.py. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures');
export const fixture = (name: string): string => join(FIXTURES, name);

interface StoredTensor {
  readonly dims: number[];
  readonly data: number[];
}
interface StoredCase {
  readonly inputs: Record<string, StoredTensor>;
  readonly outputs: Record<string, StoredTensor>;
}
const expected = JSON.parse(readFileSync(fixture('expected.json'), 'utf8')) as {
  models: Record<'mlp' | 'convnet' | 'masked_sum', StoredCase>;
};

const INT64_INPUTS = new Set(['input_ids', 'attention_mask']);

function toTensor(name: string, stored: StoredTensor): Tensor {
  if (INT64_INPUTS.has(name)) {
    return new Tensor(
      'int64',
      BigInt64Array.from(stored.data, (v) => BigInt(v)),
      stored.dims,
    );
  }
  return new Tensor('float32', Float32Array.from(stored.data), stored.dims);
}

/** Feeds as torch saw them, and torch's outputs. */
export function torchCase(model: keyof typeof expected.models): {
  feeds: Record<string, Tensor>;
  outputs: Record<string, StoredTensor>;
} {
  const stored = expected.models[model];
  const feeds = Object.fromEntries(
    Object.entries(stored.inputs).map(([name, t]) => [name, toTensor(name, t)]),
  );
  return { feeds, outputs: stored.outputs };
}

/** Largest absolute difference between two numeric arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
