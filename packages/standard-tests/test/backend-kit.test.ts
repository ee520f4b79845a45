// The backend kit's own checks: its graphs decode as the ONNX models they describe, its references are the
// operators' definitions (checked here against tfjs's cpu kernels, an independent implementation), and the
// comparison it asserts with sees a wrong number.
import { tf } from '@attune/tensor';
import onnxProto from 'onnx-proto';
import { describe, expect, it } from 'vitest';
import { backendOpGraphs, encodeGraph, maxDifference } from '../src/index.js';

const graphs = backendOpGraphs();
const t = (x: { dims: readonly number[]; data: ArrayLike<number> }) =>
  tf.tensor(Array.from(x.data), [...x.dims]);

describe('backend op graphs', () => {
  it('are eight distinct graphs whose bytes decode to their nodes, inputs and outputs', () => {
    expect(graphs.map((g) => g.name)).toHaveLength(8);
    expect(new Set(graphs.map((g) => g.name)).size).toBe(8);
    for (const g of graphs) {
      const model = onnxProto.onnx.ModelProto.decode(encodeGraph(g.name, g.spec));
      expect(model.graph?.node?.map((n) => n.opType)).toEqual(g.spec.nodes.map((n) => n.op));
      expect(model.graph?.input?.map((i) => i.name)).toEqual(Object.keys(g.spec.inputs));
      expect(model.graph?.output?.map((o) => o.name)).toEqual(Object.keys(g.spec.outputs));
      for (const [name, dims] of Object.entries(g.spec.outputs))
        expect(g.reference()[name]!.dims).toEqual(dims);
    }
  });

  it('softmax rows sum to 1 and the references agree with tfjs kernels', async () => {
    await tf.setBackend('cpu');
    const byName = Object.fromEntries(graphs.map((g) => [g.name, g]));
    const softmax = byName.softmax!;
    const probs = Array.from(softmax.reference().y!.data as ArrayLike<number>);
    for (let r = 0; r < 3; r++)
      expect(probs.slice(r * 5, r * 5 + 5).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(
      maxDifference(
        { dims: [3, 5], data: tf.softmax(t(softmax.feeds.x!)).dataSync() },
        softmax.reference().y!,
      ).diff,
    ).toBeLessThan(1e-6);

    const conv = byName['conv-stride2-pad1']!;
    const w = conv.spec.weights!;
    // tfjs conv2d is NHWC with HWIO filters: transpose in and out.
    const x = t(conv.feeds.x!).transpose([0, 2, 3, 1]) as tf.Tensor4D;
    const filter = tf.tensor(w.w!.values, [...w.w!.dims]).transpose([2, 3, 1, 0]) as tf.Tensor4D;
    const y = tf
      .conv2d(x, filter, 2, [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0],
      ])
      .add(tf.tensor1d([...w.b!.values]))
      .transpose([0, 3, 1, 2]);
    expect(maxDifference({ dims: y.shape, data: y.dataSync() }, conv.reference().y!).diff).toBeLessThan(1e-5);

    const tr = byName['transpose-reshape']!;
    const moved = t(tr.feeds.x!).transpose([2, 0, 1]).reshape([4, 6]);
    expect(maxDifference({ dims: [4, 6], data: moved.dataSync() }, tr.reference().y!).diff).toBe(0);
  });

  it('maxDifference sees a wrong value, a NaN and a wrong length', () => {
    const ref = { dims: [3], data: [1, -4, 2] };
    expect(maxDifference({ dims: [3], data: [1, -4, 2] }, ref)).toEqual({ diff: 0, scale: 4 });
    expect(maxDifference({ dims: [3], data: [1, -4, 2.5] }, ref).diff).toBeCloseTo(0.5, 12);
    expect(maxDifference({ dims: [3], data: [1, Number.NaN, 2] }, ref).diff).toBe(Number.POSITIVE_INFINITY);
    expect(maxDifference({ dims: [2], data: [1, -4] }, ref).diff).toBe(Number.POSITIVE_INFINITY);
  });
});
