import { Tensor as OrtTensor } from 'onnxruntime-common';
import { describe, expect, it } from 'vitest';
import { fromOrtTensor, tf, toOrtTensor } from '../src/index.js';
import { tensorsLeakedBy } from './support/leaks.js';

describe('toOrtTensor / fromOrtTensor', () => {
  it('round-trips float32 without copying on the cpu backend', () => {
    const t = tf.tensor3d([1.5, -2, 3.25, 4, 5, 6], [1, 2, 3]);
    const ort = toOrtTensor(t);
    expect(ort.type).toBe('float32');
    expect(ort.dims).toEqual([1, 2, 3]);
    // Zero-copy: the onnxruntime tensor holds the backend's own array.
    expect(ort.data).toBe(t.dataSync());
    const back = fromOrtTensor(ort);
    expect(back.dtype).toBe('float32');
    expect(back.shape).toEqual([1, 2, 3]);
    expect(back.dataSync()).toBe(ort.data);
    expect(Array.from(back.dataSync())).toEqual([1.5, -2, 3.25, 4, 5, 6]);
    tf.dispose([t, back]);
  });

  it('round-trips int32 without copying and bool by value', () => {
    const ints = tf.tensor1d([-7, 0, 2147483647], 'int32');
    const ortInts = toOrtTensor(ints);
    expect(ortInts.type).toBe('int32');
    expect(ortInts.data).toBe(ints.dataSync());
    const intsBack = fromOrtTensor(ortInts);
    expect(Array.from(intsBack.dataSync())).toEqual([-7, 0, 2147483647]);

    const flags = tf.tensor2d([true, false, false, true], [2, 2], 'bool');
    const ortFlags = toOrtTensor(flags);
    expect(ortFlags.type).toBe('bool');
    expect(Array.from(ortFlags.data as Uint8Array)).toEqual([1, 0, 0, 1]);
    const flagsBack = fromOrtTensor(ortFlags);
    expect(flagsBack.dtype).toBe('bool');
    expect(flagsBack.shape).toEqual([2, 2]);
    expect(Array.from(flagsBack.dataSync())).toEqual([1, 0, 0, 1]);
    tf.dispose([ints, intsBack, flags, flagsBack]);
  });

  it('widens int32 to int64 on request and narrows int64 back to int32', () => {
    const ids = tf.tensor2d([49406, 320, 1125, 49407], [1, 4], 'int32');
    const ort = toOrtTensor(ids, { int64: true });
    expect(ort.type).toBe('int64');
    expect(Array.from(ort.data as BigInt64Array)).toEqual([49406n, 320n, 1125n, 49407n]);
    const back = fromOrtTensor(ort);
    expect(back.dtype).toBe('int32');
    expect(back.shape).toEqual([1, 4]);
    expect(Array.from(back.dataSync())).toEqual([49406, 320, 1125, 49407]);
    tf.dispose([ids, back]);
  });

  it('accepts int64 at the int32 limits and rejects values beyond them, naming value and range', () => {
    const edge = new OrtTensor('int64', BigInt64Array.from([-2147483648n, 2147483647n]), [2]);
    const edgeBack = fromOrtTensor(edge);
    expect(Array.from(edgeBack.dataSync())).toEqual([-2147483648, 2147483647]);
    edgeBack.dispose();
    const tooBig = new OrtTensor('int64', BigInt64Array.from([1n, 5000000000n]), [1, 2]);
    expect(() => fromOrtTensor(tooBig)).toThrow(
      'int64 value 5000000000 at flat index 1 of a [1,2] tensor does not fit in int32 (tfjs has no int64); expected values in [-2147483648, 2147483647]',
    );
    const tooSmall = new OrtTensor('int64', BigInt64Array.from([-2147483649n]), [1]);
    expect(() => fromOrtTensor(tooSmall)).toThrow(/-2147483649 .* does not fit in int32/);
  });

  it('keeps scalar shapes', () => {
    const s = tf.scalar(3.5);
    const ort = toOrtTensor(s);
    expect(ort.dims).toEqual([]);
    const back = fromOrtTensor(ort);
    expect(back.rank).toBe(0);
    expect(back.dataSync()[0]).toBe(3.5);
    tf.dispose([s, back]);
  });

  it('names unsupported types, GPU locations and disposed tensors', () => {
    const f16 = new OrtTensor('float16', new Uint16Array(2), [2]);
    expect(() => fromOrtTensor(f16)).toThrow(
      "unsupported onnxruntime tensor type 'float16'; supported: float32, int32, int64, bool",
    );
    const onGpu = {
      type: 'float32',
      dims: [2],
      location: 'gpu-buffer',
      data: undefined,
    } as unknown as OrtTensor;
    expect(() => fromOrtTensor(onGpu)).toThrow(/lives on 'gpu-buffer'; expected a CPU tensor/);
    const complex = tf.complex([1], [2]);
    expect(() => toOrtTensor(complex)).toThrow(
      "unsupported tfjs dtype 'complex64'; supported: float32, int32, bool",
    );
    complex.dispose();
    const gone = tf.tensor1d([1, 2]);
    gone.dispose();
    expect(() => toOrtTensor(gone)).toThrow('the float32 tensor [2] has been disposed');
    const floats = tf.tensor1d([1]);
    expect(() => toOrtTensor(floats, { int64: true })).toThrow(
      '{ int64: true } applies to int32 tensors, got float32',
    );
    floats.dispose();
  });

  it('leaves no tensors behind beyond the one it returns', () => {
    const t = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const leaked = tensorsLeakedBy(() => {
      for (let i = 0; i < 20; i++) fromOrtTensor(toOrtTensor(t)).dispose();
    });
    expect(leaked).toBe(0);
    t.dispose();
  });
});
