import { Registry } from '@attune/registry';
import { tf } from '@attune/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import type { TfjsBackend } from '../src/index.js';
import { tfjsBackendConfig, tfjsBackendPlugin } from '../src/plugin.js';
import { fixturePath } from './helpers/model-fixtures.js';

describe('the backend-tfjs plugin', () => {
  const instances: TfjsBackend[] = [];
  afterEach(() => {
    for (const instance of instances.splice(0)) instance.dispose();
  });

  it('declares what it provides and defaults to automatic selection', () => {
    expect(tfjsBackendPlugin).toMatchObject({
      name: 'backend-tfjs',
      kind: 'backend',
      provides: ['onnx-inference', 'input-grad'],
    });
    expect(tfjsBackendConfig.parse({})).toEqual({ backend: 'auto' });
    expect(tfjsBackendConfig.safeParse({ backend: 'webgl' }).success).toBe(false);
  });

  it('creates through a registry, reports its backend, loads graphs and disposes them', async () => {
    const registry = new Registry().register(tfjsBackendPlugin);
    expect(registry.resolve('input-grad').map((p) => p.name)).toEqual(['backend-tfjs']);
    const instance = await registry.create<TfjsBackend>('backend-tfjs', { backend: 'cpu' });
    instances.push(instance);
    expect(instance.backend).toMatchObject({ name: 'cpu', tfBackend: 'cpu' });
    const graph = await instance.loadGraph(fixturePath('tiny_mlp.onnx'));
    const x = tf.ones([2, 8]);
    const { value, grads } = graph.gradients({ x }, ['x'], (o) => tf.sum(o.y!) as tf.Scalar);
    // Softmax rows sum to 1: the loss is the number of rows, whatever x is, so the gradient vanishes.
    expect(value.dataSync()[0]).toBeCloseTo(4, 5);
    expect(tf.max(tf.abs(grads.x!)).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([x, value, grads.x!]);
    const before = tf.memory().numTensors;
    instance.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    const again = tf.ones([1, 8]);
    expect(() => graph.run({ x: again })).toThrow(/has been disposed/);
    again.dispose();
  });

  it("'auto' picks wasm here, where tfjs-node cannot install", async () => {
    const instance = await new Registry().register(tfjsBackendPlugin).create<TfjsBackend>('backend-tfjs');
    instances.push(instance);
    expect(instance.backend.name).toBe('wasm');
    expect(instance.backend.reason).toMatch(/^tfjs-node-gpu .+; tfjs-node .+$/);
  });
});
