import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import { type BackendName, loadOnnxGraph, selectBackend } from '../src/index.js';
import { tfFeeds } from './helpers/feeds.js';
import { fixturePath, MODEL_FIXTURES } from './helpers/model-fixtures.js';

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];
const fixture = (file: string) => MODEL_FIXTURES.find((f) => f.file === file)!;

describe.each(BACKENDS)('tensor bookkeeping on %s', (backend) => {
  it('1,000 forward + gradient calls leave tf.memory().numTensors unchanged', async () => {
    await selectBackend(backend);
    const tiny = fixture('tiny_mlp.onnx');
    const graph = await loadOnnxGraph(fixturePath(tiny.file));
    const feeds = tfFeeds(tiny.inputs({ batch: 3, sequence: 0 }, 1));
    const loss = (outputs: Record<string, tf.Tensor>) => tf.sum(tf.mul(outputs.y!, outputs.y!)) as tf.Scalar;
    const before = tf.memory().numTensors;
    for (let i = 0; i < 1000; i++) {
      const outputs = graph.run(feeds);
      const { value, grads } = graph.gradients(feeds, ['x'], loss);
      tf.dispose([...Object.values(outputs), value, ...Object.values(grads)]);
    }
    expect(tf.memory().numTensors).toBe(before);
    graph.dispose();
    tf.dispose(Object.values(feeds));
  });

  it('a conv graph caches its derived filters once, then runs leak-free; dispose frees everything', async () => {
    await selectBackend(backend);
    const conv = fixture('conv_tower.onnx');
    const start = tf.memory().numTensors;
    const graph = await loadOnnxGraph(fixturePath(conv.file));
    const feeds = tfFeeds(conv.inputs({ batch: 1, sequence: 0 }, 2));
    const loss = (outputs: Record<string, tf.Tensor>) => tf.sum(outputs.logits!) as tf.Scalar;
    const step = () => {
      const { value, grads } = graph.gradients(feeds, ['pixel_values'], loss);
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const warmed = tf.memory().numTensors;
    for (let i = 0; i < 20; i++) step();
    expect(tf.memory().numTensors).toBe(warmed);
    graph.dispose();
    tf.dispose(Object.values(feeds));
    expect(tf.memory().numTensors).toBe(start);
  });

  it('errors thrown mid-run free what the run made', async () => {
    await selectBackend(backend);
    const gpt2 = fixture('gpt2_lm_ids.onnx');
    const graph = await loadOnnxGraph(fixturePath(gpt2.file));
    const feeds = tfFeeds(gpt2.inputs({ batch: 2, sequence: 3, past: 2 }, 1));
    // A position id past the 32-entry position table fails inside the run, after several nodes ran.
    const badPositions = tf.fill([2, 3], 40, 'int32');
    const before = tf.memory().numTensors;
    expect(() => graph.run({ ...feeds, position_ids: badPositions })).toThrow(
      /Gather node '\/wpe\/Gather': .*index value 40 is not in \[0, 31\]/,
    );
    expect(tf.memory().numTensors).toBe(before);
    graph.dispose();
    tf.dispose([badPositions, ...Object.values(feeds)]);
  });
});
