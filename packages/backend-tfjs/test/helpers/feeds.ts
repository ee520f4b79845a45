import { tf } from '@attune/tensor';
import * as ort from 'onnxruntime-node';

/** One input, given once and turned into both a tfjs tensor and an onnxruntime tensor. */
export interface FeedSpec {
  readonly dtype: 'float32' | 'int64' | 'bool';
  readonly shape: readonly number[];
  readonly data: ArrayLike<number>;
}

export type FeedSpecs = Record<string, FeedSpec>;

/** tfjs feeds: int64 travels as int32, as the executor expects. The caller disposes them. */
export function tfFeeds(specs: FeedSpecs): Record<string, tf.Tensor> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => {
      const dtype = spec.dtype === 'float32' ? 'float32' : spec.dtype === 'bool' ? 'bool' : 'int32';
      return [name, tf.tensor(Array.from(spec.data), [...spec.shape], dtype)];
    }),
  );
}

export function ortFeeds(specs: FeedSpecs): Record<string, ort.Tensor> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => {
      const shape = [...spec.shape];
      if (spec.dtype === 'int64') {
        return [
          name,
          new ort.Tensor(
            'int64',
            BigInt64Array.from(Array.from(spec.data), (v) => BigInt(v)),
            shape,
          ),
        ];
      }
      if (spec.dtype === 'bool') return [name, new ort.Tensor('bool', Uint8Array.from(spec.data), shape)];
      return [name, new ort.Tensor('float32', Float32Array.from(spec.data), shape)];
    }),
  );
}

const sessions = new Map<string, Promise<ort.InferenceSession>>();

/** onnxruntime's outputs for the same model and inputs: the reference. Sessions are cached per file. */
export async function referenceOutputs(
  modelPath: string,
  specs: FeedSpecs,
): Promise<Record<string, ort.Tensor>> {
  let session = sessions.get(modelPath);
  if (!session) {
    session = ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    sessions.set(modelPath, session);
  }
  return (await session).run(ortFeeds(specs));
}
