import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, loadOnnxGraph, type OnnxGraph, selectBackend } from '../src/index.js';
import { buildModel } from './helpers/build-model.js';
import { tfFeeds } from './helpers/feeds.js';
import { checkDirectionalDerivatives, RandomReadout } from './helpers/finite-differences.js';
import { fixturePath, MODEL_FIXTURES } from './helpers/model-fixtures.js';

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];
const DIFFERENTIABLE = MODEL_FIXTURES.filter((f) => f.differentiable !== undefined);

describe.each(BACKENDS)('gradients w.r.t. graph inputs on %s', (backend) => {
  const graphs = new Map<string, OnnxGraph>();

  beforeAll(async () => {
    await selectBackend(backend);
    for (const fixture of DIFFERENTIABLE)
      graphs.set(fixture.file, await loadOnnxGraph(fixturePath(fixture.file)));
  });

  afterAll(() => {
    for (const graph of graphs.values()) graph.dispose();
  });

  it.each(DIFFERENTIABLE)(
    '$file: d(read-out of all outputs)/d $differentiable matches central differences',
    (fixture) => {
      const graph = graphs.get(fixture.file)!;
      const feeds = tfFeeds(fixture.inputs(fixture.dims[0]!, 21));
      const readout = new RandomReadout(graph, feeds, 22);
      const checks = checkDirectionalDerivatives(graph, feeds, fixture.differentiable!, readout, {
        step: 1e-3,
      });
      for (const check of checks) {
        expect(check.relativeError, JSON.stringify(check)).toBeLessThanOrEqual(1e-2);
      }
      tf.dispose(Object.values(feeds));
    },
  );

  it('the gradient has the input shape, and the value is the loss of a plain run', () => {
    const fixture = MODEL_FIXTURES.find((f) => f.file === 'clip_text_embeds.onnx')!;
    const graph = graphs.get(fixture.file)!;
    const feeds = tfFeeds(fixture.inputs({ batch: 2, sequence: 9 }, 3));
    const loss = (outputs: Record<string, tf.Tensor>) => tf.sum(tf.square(outputs.text_embeds!)) as tf.Scalar;
    const { value, grads } = graph.gradients(feeds, ['inputs_embeds'], loss, ['text_embeds']);
    expect(grads.inputs_embeds!.shape).toEqual([2, 9, 32]);
    const outputs = graph.run(feeds, ['text_embeds']);
    const plain = loss(outputs);
    expect(value.dataSync()[0]).toBeCloseTo(plain.dataSync()[0]!, 4);
    // Causal attention + EOT pooling: positions after a row's EOT token cannot change its features.
    const eot = feeds.eot_index!.dataSync();
    const g = grads.inputs_embeds!.arraySync() as number[][][];
    for (let row = 0; row < 2; row++) {
      for (let t = eot[row]! + 1; t < 9; t++) expect(g[row]![t]!.every((v) => v === 0)).toBe(true);
      expect(g[row]![eot[row]!]!.some((v) => v !== 0)).toBe(true);
    }
    tf.dispose([value, grads.inputs_embeds!, plain, ...Object.values(outputs), ...Object.values(feeds)]);
  });

  it('differentiates through comparisons (tfjs itself has no gradient for Less/Greater/Equal)', async () => {
    // out = Where(x < y, x, y): the gradient is 1 for x where x < y, else 0 (and the reverse for y).
    const bytes = buildModel({
      opset: 13,
      nodes: [
        { opType: 'Less', inputs: ['x', 'y'], outputs: ['smaller'] },
        { opType: 'Where', inputs: ['smaller', 'x', 'y'], outputs: ['out'] },
      ],
      inputs: [
        { name: 'x', shape: [4] },
        { name: 'y', shape: [4] },
      ],
      outputs: [{ name: 'out', shape: [4] }],
    });
    const graph = await loadOnnxGraph(bytes);
    const x = tf.tensor1d([1, 5, -2, 3]);
    const y = tf.tensor1d([2, 4, -3, 7]);
    const { value, grads } = graph.gradients({ x, y }, ['x', 'y'], (o) => tf.sum(o.out!) as tf.Scalar);
    expect(Array.from(grads.x!.dataSync())).toEqual([1, 0, 0, 1]);
    expect(Array.from(grads.y!.dataSync())).toEqual([0, 1, 1, 0]);
    expect(value.dataSync()[0]).toBe(1 + 4 - 3 + 3);
    tf.dispose([x, y, value, grads.x!, grads.y!]);
    graph.dispose();
  });
});
