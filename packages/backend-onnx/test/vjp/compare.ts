// Shared checks: the ORT VJP graph against the tfjs executor's gradient of ⟨cotangent, output⟩.
import { readFileSync } from 'node:fs';
import { loadOnnxGraph } from '@attune/backend-tfjs';
import { tf } from '@attune/tensor';
import onnxProto from 'onnx-proto';
import { Tensor } from 'onnxruntime-node';
import { VjpSession } from '../../src/vjp/index.js';

/** A feed given once, as ORT and tfjs tensors (int64 becomes int32 in tfjs). */
export interface FeedSpec {
  readonly dims: number[];
  readonly data: Float32Array | Float64Array | BigInt64Array;
}

export function toOrt(spec: FeedSpec): Tensor {
  if (spec.data instanceof BigInt64Array) return new Tensor('int64', spec.data, spec.dims);
  if (spec.data instanceof Float64Array) return new Tensor('float64', spec.data, spec.dims);
  return new Tensor('float32', spec.data, spec.dims);
}

function toTf(spec: FeedSpec): tf.Tensor {
  if (spec.data instanceof BigInt64Array)
    return tf.tensor(Int32Array.from(spec.data, Number), spec.dims, 'int32');
  return tf.tensor(Float32Array.from(spec.data), spec.dims, 'float32');
}

/** Deterministic pseudo-random floats in [-scale, scale). */
export function randomFloats(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

export interface Comparison {
  /** max |ort − tfjs| / max |tfjs| over each gradient. */
  readonly relative: Record<string, number>;
  readonly pathOps: Readonly<Record<string, number>>;
}

export async function compareWithTfjs(
  modelPath: string,
  feeds: Record<string, FeedSpec>,
  wrt: string[],
  outputs: string[],
  cotangentSeed = 7,
): Promise<Comparison> {
  const model = onnxProto.onnx.ModelProto.decode(readFileSync(modelPath));
  const session = await VjpSession.create(model, { wrt, outputs });
  const ortFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(v)]));
  // One forward run gives the output shapes for the cotangents.
  const zeroCot: Record<string, Tensor> = {};
  const graph = await loadOnnxGraph(modelPath);
  try {
    const tfFeeds = Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toTf(v)]));
    const forward = graph.run(tfFeeds, outputs);
    const cotangents: Record<string, tf.Tensor> = {};
    outputs.forEach((name, i) => {
      const out = forward[name]!;
      cotangents[name] = tf.tensor(randomFloats(out.size, cotangentSeed + i), out.shape, 'float32');
      zeroCot[name] = new Tensor('float32', cotangents[name].dataSync() as Float32Array, out.shape);
    });
    tf.dispose(Object.values(forward));
    const reference = graph.gradients(
      tfFeeds,
      wrt,
      (outs) => tf.addN(outputs.map((name) => tf.sum(tf.mul(outs[name]!, cotangents[name]!)))) as tf.Scalar,
      outputs,
    );
    const result = await session.run(ortFeeds, zeroCot);
    const relative: Record<string, number> = {};
    for (const name of wrt) {
      const expected = reference.grads[name]!.dataSync();
      const actual = result.grads[name]!.data as Float32Array;
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < expected.length; i++) {
        diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
        scale = Math.max(scale, Math.abs(expected[i]!));
      }
      if (actual.length !== expected.length)
        throw new Error(`gradient '${name}': ${actual.length} vs ${expected.length} values`);
      relative[name] = diff / scale;
    }
    tf.dispose([
      reference.value,
      ...Object.values(reference.grads),
      ...Object.values(tfFeeds),
      ...Object.values(cotangents),
    ]);
    if (process.env.VJP_PRINT) console.info(`VJP vs tfjs ${modelPath}: ${JSON.stringify(relative)}`);
    return { relative, pathOps: session.built.report.pathOps };
  } finally {
    graph.dispose();
    await session.release();
  }
}
