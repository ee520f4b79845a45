import * as tfCore from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { tf } from '../src/index.js';

describe('tf re-export', () => {
  it('computes on the cpu backend after a plain import', async () => {
    await tf.ready();
    expect(tf.getBackend()).toBe('cpu');
    const product = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(Array.from(product.dataSync())).toEqual([11]);
    product.dispose();
  });

  it('shares one engine with a direct import of @tensorflow/tfjs-core', () => {
    expect(tf.engine()).toBe(tfCore.engine());
    const t = tf.scalar(1);
    expect(t).toBeInstanceOf(tfCore.Tensor);
    t.dispose();
  });
});
