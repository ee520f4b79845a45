import { tf } from '@attune/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadOnnxGraph, selectBackend } from '../src/index.js';
import { buildModel } from './helpers/build-model.js';

/**
 * y = Reshape(x, Concat(Unsqueeze(Gather(Shape(x), 0)), [-1])): the Shape -> Gather -> Concat -> Reshape
 * chain every PyTorch export is full of, over an input with the given first dimension.
 */
function flattenByShapeArithmetic(firstDim: number | string) {
  return buildModel({
    opset: 14,
    nodes: [
      { opType: 'Shape', inputs: ['x'], outputs: ['shape'] },
      { opType: 'Gather', inputs: ['shape', 'zero'], outputs: ['rows'], ints: { axis: 0 } },
      { opType: 'Unsqueeze', inputs: ['rows', 'axes'], outputs: ['rows_1d'] },
      { opType: 'Concat', inputs: ['rows_1d', 'minus_one'], outputs: ['target'], ints: { axis: 0 } },
      { opType: 'Reshape', inputs: ['x', 'target'], outputs: ['flat'] },
      { opType: 'Mul', inputs: ['flat', 'flat'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', shape: [firstDim, 3, 4] }],
    outputs: [{ name: 'y', shape: [firstDim, 12] }],
    initializers: [
      { name: 'zero', dims: [], values: [0] },
      { name: 'axes', dims: [1], values: [0] },
      { name: 'minus_one', dims: [1], values: [-1] },
    ],
  });
}

describe('shape arithmetic', () => {
  beforeAll(async () => {
    await selectBackend('cpu');
  });

  it('is folded at load when the shapes are static: only Reshape and Mul run', async () => {
    const graph = await loadOnnxGraph(flattenByShapeArithmetic(2));
    expect(graph.stats).toEqual({ nodes: 6, folded: 4, executed: 2 });
    const x = tf.range(0, 24).reshape([2, 3, 4]);
    const { y } = graph.run({ x });
    expect(y!.shape).toEqual([2, 12]);
    expect(Array.from(y!.dataSync()).slice(0, 4)).toEqual([0, 1, 4, 9]);
    tf.dispose([x, y!]);
    graph.dispose();
  });

  it('runs eagerly in JS when shapes are dynamic, for any batch, and under autodiff', async () => {
    const graph = await loadOnnxGraph(flattenByShapeArithmetic('batch'));
    expect(graph.stats).toEqual({ nodes: 6, folded: 0, executed: 6 });
    for (const batch of [1, 5]) {
      const x = tf.randomNormal([batch, 3, 4], 0, 1, 'float32', batch);
      const { value, grads } = graph.gradients({ x }, ['x'], (outputs) => tf.sum(outputs.y!) as tf.Scalar);
      // d/dx sum(x^2) = 2x
      const expected = tf.mul(x, 2);
      expect(grads.x!.shape).toEqual([batch, 3, 4]);
      expect(tf.max(tf.abs(tf.sub(grads.x!, expected))).dataSync()[0]).toBeLessThan(1e-6);
      expect(value.dataSync()[0]).toBeCloseTo(tf.sum(tf.square(x)).dataSync()[0]!, 4);
      tf.dispose([x, value, grads.x!, expected]);
    }
    graph.dispose();
  });

  it('keeps INT64_MAX slice ends exact on the host (tfjs int32 tensors could not hold them)', async () => {
    const bytes = buildModel({
      opset: 13,
      nodes: [{ opType: 'Slice', inputs: ['x', 'starts', 'ends', 'axes'], outputs: ['y'] }],
      inputs: [{ name: 'x', shape: ['n', 4] }],
      outputs: [{ name: 'y', shape: ['m', 4] }],
      initializers: [
        { name: 'starts', dims: [1], values: [1] },
        // 2^53 - 1 stands in for INT64_MAX: as large as protobufjs numbers stay exact.
        { name: 'ends', dims: [1], values: [Number.MAX_SAFE_INTEGER] },
        { name: 'axes', dims: [1], values: [0] },
      ],
    });
    const graph = await loadOnnxGraph(bytes);
    const x = tf.range(0, 12).reshape([3, 4]);
    const { y } = graph.run({ x });
    expect(y!.arraySync()).toEqual([
      [4, 5, 6, 7],
      [8, 9, 10, 11],
    ]);
    tf.dispose([x, y!]);
    graph.dispose();
  });
});
