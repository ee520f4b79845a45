// The shared pieces of the CLIP methods, on a real MNIST test image.
import { loadMnist } from '@attune/data';
import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import {
  backendLabel,
  checkClassifyInput,
  checkViews,
  elapsedSince,
  SerialQueue,
  testTimeViews,
} from '../src/index.js';

const mnist = loadMnist('test');
const image = { data: mnist.images.slice(0, 784), width: 28, height: 28, channels: 1 as const };
const model = { imageSize: 28 };

describe('test-time views', () => {
  it('are [N,3,S,S] in [0,1] with view 0 the un-augmented image, the same for the same seed', () => {
    const a = testTimeViews(model, image, { views: 8, seed: 3 });
    const b = testTimeViews(model, image, { views: 8, seed: 3 });
    const c = testTimeViews(model, image, { views: 8, seed: 4 });
    expect(a.shape).toEqual([8, 3, 28, 28]);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    expect(Array.from(a.dataSync())).not.toEqual(Array.from(c.dataSync()));
    const view0 = a.dataSync().slice(0, 784);
    view0.forEach((v, i) => {
      expect(v).toBeCloseTo(image.data[i]! / 255, 6);
    });
    const [min, max] = [tf.min(a).dataSync()[0]!, tf.max(a).dataSync()[0]!];
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThanOrEqual(1);
    tf.dispose([a, b, c]);
  });

  it('AugMix changes the augmented views but not view 0', () => {
    const plain = testTimeViews(model, image, { views: 4, seed: 1 });
    const mixed = testTimeViews(model, image, { views: 4, seed: 1, augmix: true });
    expect(Array.from(mixed.dataSync().slice(0, 2352))).toEqual(Array.from(plain.dataSync().slice(0, 2352)));
    expect(Array.from(mixed.dataSync().slice(2352))).not.toEqual(Array.from(plain.dataSync().slice(2352)));
    tf.dispose([plain, mixed]);
  });
});

describe('input checks', () => {
  it('name what is wrong with views and inputs, before any work', () => {
    expect(() => checkViews([1, 2])).toThrow('expected views as a tf.Tensor4D [N,3,H,W] in [0,1], got Array');
    const grey = tf.zeros([2, 1, 28, 28]);
    expect(() => checkViews(grey)).toThrow(
      'expected views [N,3,H,W] with N >= 1 (view 0 = the original image), got [2,1,28,28]',
    );
    const ints = tf.zeros([2, 3, 28, 28], 'int32');
    expect(() => checkViews(ints)).toThrow('expected float32 views in [0,1], got int32');
    tf.dispose([grey, ints]);
    // biome-ignore lint/suspicious/noExplicitAny: a wrong call on purpose
    expect(() => checkClassifyInput(null as any)).toThrow(
      'expected a classify input { image, classNames, views? }, got null',
    );
    expect(() => checkClassifyInput({ image, classNames: [] })).toThrow(/at least one class name/);
  });
});

describe('one call at a time', () => {
  it('runs tasks in call order without overlap, and a failure does not block the next', async () => {
    const queue = new SerialQueue();
    const events: string[] = [];
    const task = (name: string, ms: number, fail = false) =>
      queue.run(async () => {
        events.push(`start ${name}`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        events.push(`end ${name}`);
        if (fail) throw new Error(name);
        return name;
      });
    const results = await Promise.allSettled([task('a', 20), task('b', 1, true), task('c', 5)]);
    expect(events).toEqual(['start a', 'end a', 'start b', 'end b', 'start c', 'end c']);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });

  it('reports elapsed milliseconds to two decimals', () => {
    const value = elapsedSince(performance.now() - 12.3456);
    expect(value).toBeGreaterThanOrEqual(12.34);
    expect(Math.round(value * 100)).toBe(value * 100);
  });
});

describe('backend labels', () => {
  const fake = { backends: { inference: 'onnxruntime-node cpu (2 threads)', gradients: 'tfjs cpu' } };
  it('name the inference backend, plus the tfjs backend where the method differentiates', () => {
    expect(backendLabel(fake)).toBe('onnxruntime-node cpu (2 threads)');
    expect(backendLabel(fake, 'model')).toBe('onnxruntime-node cpu (2 threads) + tfjs cpu');
    expect(backendLabel(fake, { tfBackend: 'wasm' })).toBe('onnxruntime-node cpu (2 threads) + tfjs wasm');
  });
});
