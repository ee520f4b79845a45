import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import { type BackendPreference, selectBackend } from '../src/index.js';

// tfjs-node and tfjs-node-gpu cannot work on this machine: their install scripts download libtensorflow.
// pnpm may still have installed their JS (a workspace project's optional peers get installed for it), in
// which case the native library is what is missing. Either way 'auto' must fall through to wasm, saying why.
const UNAVAILABLE = (pkg: string) =>
  `${pkg} (not installed|is installed without its native library \\(tfjs_binding\\.node; its install script did not run\\))`;

describe('backend selection', () => {
  it("'auto' skips the unusable tfjs-node packages, picks wasm and reports why", async () => {
    const choice = await selectBackend('auto');
    expect(choice).toMatchObject({ name: 'wasm', tfBackend: 'wasm', threads: 1 });
    expect(choice.reason).toMatch(
      new RegExp(`^${UNAVAILABLE('tfjs-node-gpu')}; ${UNAVAILABLE('tfjs-node')}$`),
    );
    expect(tf.getBackend()).toBe('wasm');
  });

  it('a backend can be forced by name', async () => {
    const cpu = await selectBackend('cpu');
    expect(cpu).toMatchObject({
      name: 'cpu',
      tfBackend: 'cpu',
      reason: "forced by configuration ('cpu')",
      threads: 1,
    });
    expect(tf.getBackend()).toBe('cpu');
    const wasm = await selectBackend('wasm');
    expect(wasm).toMatchObject({ name: 'wasm', reason: "forced by configuration ('wasm')" });
    expect(tf.getBackend()).toBe('wasm');
  });

  it('forcing a backend that cannot load fails saying what is missing', async () => {
    await expect(selectBackend('tensorflow')).rejects.toThrow(
      new RegExp(`^no tfjs backend could be activated: ${UNAVAILABLE('tfjs-node')}$`),
    );
    await expect(selectBackend('tensorflow-gpu')).rejects.toThrow(
      new RegExp(`^no tfjs backend could be activated: ${UNAVAILABLE('tfjs-node-gpu')}$`),
    );
  });

  it('an unknown name lists the valid ones', async () => {
    await expect(selectBackend('webgpu' as BackendPreference)).rejects.toThrow(
      "unknown backend 'webgpu'; expected auto, tensorflow-gpu, tensorflow, wasm, cpu",
    );
  });

  it('wasm gets the gradient kernels it lacks', async () => {
    await selectBackend('wasm');
    expect(tf.getKernel('UnsortedSegmentSum', 'wasm')).toBeDefined();
    expect(tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')).toBeDefined();
    // Gather's gradient runs on wasm (it needs UnsortedSegmentSum): rows picked twice get twice the gradient.
    const table = tf.tensor2d([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    const grad = tf.grad((t: tf.Tensor) => tf.sum(tf.gather(t, tf.tensor1d([2, 0, 2], 'int32'))))(table);
    expect(grad.arraySync()).toEqual([
      [1, 1],
      [0, 0],
      [2, 2],
    ]);
    tf.dispose([table, grad]);
  });

  it('wasm max-pool and transposed-matmul gradients equal those of the cpu backend', async () => {
    // tfjs-backend-wasm 4.22's MaxPoolGrad is wrong for this case; this package swaps in a JS kernel.
    const data = Array.from({ length: 2 * 8 * 10 * 3 }, (_, i) => Math.sin(i * 1.7) * 3);
    const gradients = async (backend: 'cpu' | 'wasm') => {
      await selectBackend(backend);
      const x = tf.tensor4d(data, [2, 8, 10, 3]);
      const a = tf.tensor2d(data.slice(0, 24), [4, 6]);
      const pool = tf.grad((t: tf.Tensor) =>
        tf.sum(tf.square(tf.maxPool(t as tf.Tensor4D, [2, 3], 1, 'valid'))),
      )(x);
      const matmul = tf.grad((t: tf.Tensor) => tf.sum(tf.square(tf.matMul(t, t, true, false))))(a);
      const result = { pool: Array.from(pool.dataSync()), matmul: Array.from(matmul.dataSync()) };
      tf.dispose([x, a, pool, matmul]);
      return result;
    };
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    // Same routing (which cell of each window gets the gradient), values equal up to float rounding.
    expect(wasm.pool.map((v) => v !== 0)).toEqual(cpu.pool.map((v) => v !== 0));
    const largestGap = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
    expect(largestGap(wasm.pool, cpu.pool)).toBeLessThan(1e-4);
    expect(largestGap(wasm.matmul, cpu.matmul)).toBeLessThan(1e-3);
  });
});
