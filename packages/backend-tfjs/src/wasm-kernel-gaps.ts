import { tf } from '@attune/tensor';

/** The slice of the wasm backend a JS kernel needs: read inputs, allocate an output holding given values. */
interface WasmBackendLike {
  readSync(dataId: unknown): ArrayLike<number>;
  makeOutput(
    shape: number[],
    dtype: tf.DataType,
    memoryOffset?: number,
    values?: tf.backend_util.BackendValues,
  ): tf.TensorInfo;
}

type JsKernel = (
  inputs: Record<string, tf.TensorInfo>,
  wasm: WasmBackendLike,
  attrs: Record<string, unknown>,
) => tf.TensorInfo;

function register(kernelName: string, kernel: JsKernel): void {
  tf.registerKernel({
    kernelName,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) =>
      kernel(
        inputs as Record<string, tf.TensorInfo>,
        backend as unknown as WasmBackendLike,
        attrs as Record<string, unknown>,
      ),
  });
}

interface DisposingBackend {
  disposeData(dataId: unknown): void;
}

/**
 * Gradient kernels the wasm backend lacks or gets wrong, as plain JS kernels (found by this package's
 * finite-difference tests):
 * - UnsortedSegmentSum (missing): tfjs's Gather gradient calls it, so without it no gradient flows through
 *   a Gather (token pooling, embedding lookups).
 * - DepthwiseConv2dNativeBackpropInput (missing): the input gradient of depthwise convolutions.
 * - MaxPoolGrad (wrong for multi-channel inputs with overlapping even-sized windows in tfjs-backend-wasm
 *   4.22.0): replaced.
 * - BatchMatMul with transposeA/transposeB, which every matmul gradient uses, runs 15-40x slower than a
 *   plain one on wasm (only the plain case reaches XNNPACK): wrapped to transpose explicitly first.
 * Registered once, when this package activates the wasm backend.
 */
export function registerWasmKernelGaps(): void {
  if (!tf.getKernel('UnsortedSegmentSum', 'wasm')) register('UnsortedSegmentSum', unsortedSegmentSum);
  if (!tf.getKernel('DepthwiseConv2dNativeBackpropInput', 'wasm')) {
    register('DepthwiseConv2dNativeBackpropInput', depthwiseConvBackpropInput);
  }
  if (tf.getKernel('MaxPoolGrad', 'wasm')?.kernelFunc !== maxPoolGradKernel) {
    tf.unregisterKernel('MaxPoolGrad', 'wasm');
    tf.registerKernel({ kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradKernel });
  }
  wrapBatchMatMul();
}

const WRAPPED = Symbol('attune: transposes explicitly');

/**
 * Wraps the wasm BatchMatMul kernel so transposed operands are transposed explicitly (a copy) and the product
 * reaches XNNPACK. The arithmetic is the same; only the kernels it goes through change. (Splitting batched
 * products into 2-D ones was tried and is slower: XNNPACK re-packs the right operand on every call.)
 */
function wrapBatchMatMul(): void {
  const original = tf.getKernel('BatchMatMul', 'wasm');
  const transpose = tf.getKernel('Transpose', 'wasm')?.kernelFunc;
  if (!original || !transpose || WRAPPED in original.kernelFunc) return;
  const kernelFunc: tf.KernelFunc = ({ inputs, backend, attrs }) => {
    const { a, b } = inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return original.kernelFunc({ inputs, backend, attrs });
    const temporaries: tf.TensorInfo[] = [];
    const swapLastTwo = (t: tf.TensorInfo) => {
      const perm = t.shape.map((_, i) => i);
      [perm[t.shape.length - 2], perm[t.shape.length - 1]] = [
        perm[t.shape.length - 1]!,
        perm[t.shape.length - 2]!,
      ];
      const swapped = transpose({ inputs: { x: t }, backend, attrs: { perm } }) as tf.TensorInfo;
      temporaries.push(swapped);
      return swapped;
    };
    const result = original.kernelFunc({
      inputs: { a: transposeA ? swapLastTwo(a) : a, b: transposeB ? swapLastTwo(b) : b },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    });
    for (const t of temporaries) (backend as unknown as DisposingBackend).disposeData(t.dataId);
    return result;
  };
  Object.defineProperty(kernelFunc, WRAPPED, { value: true });
  tf.unregisterKernel('BatchMatMul', 'wasm');
  tf.registerKernel({ ...original, kernelFunc });
}

const unsortedSegmentSum: JsKernel = ({ x, segmentIds }, wasm, attrs) => {
  const numSegments = attrs.numSegments as number;
  const values = wasm.readSync(x!.dataId);
  const ids = wasm.readSync(segmentIds!.dataId);
  const innerShape = x!.shape.slice(segmentIds!.shape.length);
  const inner = tf.util.sizeFromShape(innerShape);
  const out =
    x!.dtype === 'int32' ? new Int32Array(numSegments * inner) : new Float32Array(numSegments * inner);
  for (let i = 0; i < ids.length; i++) {
    const segment = ids[i]!;
    // TensorFlow drops ids outside [0, numSegments).
    if (segment < 0 || segment >= numSegments) continue;
    for (let k = 0; k < inner; k++)
      out[segment * inner + k] = out[segment * inner + k]! + values[i * inner + k]!;
  }
  return wasm.makeOutput([numSegments, ...innerShape], x!.dtype, undefined, out);
};

const depthwiseConvBackpropInput: JsKernel = ({ dy, filter }, wasm, attrs) => {
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape as [number, number, number, number],
    filter!.shape as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.dilations as [number, number],
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
    true,
  );
  const dyValues = wasm.readSync(dy!.dataId);
  const weights = wasm.readSync(filter!.dataId);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const multiplier = outChannels / inChannels;
  const dx = new Float32Array(batchSize * inHeight * inWidth * inChannels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
        for (let kh = 0; kh < info.filterHeight; kh++) {
          const h = oh * info.strideHeight - info.padInfo.top + kh * info.dilationHeight;
          if (h < 0 || h >= inHeight) continue;
          for (let kw = 0; kw < info.filterWidth; kw++) {
            const w = ow * info.strideWidth - info.padInfo.left + kw * info.dilationWidth;
            if (w < 0 || w >= inWidth) continue;
            const dxBase = ((b * inHeight + h) * inWidth + w) * inChannels;
            const filterBase = (kh * info.filterWidth + kw) * inChannels * multiplier;
            for (let c = 0; c < inChannels; c++) {
              let sum = 0;
              for (let m = 0; m < multiplier; m++) {
                sum += dyValues[dyBase + c * multiplier + m]! * weights[filterBase + c * multiplier + m]!;
              }
              dx[dxBase + c] = dx[dxBase + c]! + sum;
            }
          }
        }
      }
    }
  }
  return wasm.makeOutput([...info.inShape], 'float32', undefined, dx);
};

/** Routes each output gradient to the first maximum of its window (TensorFlow's rule), skipping padding. */
const maxPoolGrad: JsKernel = ({ dy, input }, wasm, attrs) => {
  const info = tf.backend_util.computePool2DInfo(
    input!.shape as [number, number, number, number],
    attrs.filterSize as [number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'valid',
    attrs.dimRoundingMode as 'floor' | undefined,
  );
  const x = wasm.readSync(input!.dataId);
  const dyValues = wasm.readSync(dy!.dataId);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth } = info;
  const dx = new Float32Array(batchSize * inHeight * inWidth * channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let c = 0; c < channels; c++) {
          let best = Number.NEGATIVE_INFINITY;
          let bestIndex = -1;
          for (let kh = 0; kh < info.effectiveFilterHeight; kh += info.dilationHeight) {
            const h = oh * info.strideHeight - info.padInfo.top + kh;
            if (h < 0 || h >= inHeight) continue;
            for (let kw = 0; kw < info.effectiveFilterWidth; kw += info.dilationWidth) {
              const w = ow * info.strideWidth - info.padInfo.left + kw;
              if (w < 0 || w >= inWidth) continue;
              const index = ((b * inHeight + h) * inWidth + w) * channels + c;
              if (x[index]! > best || bestIndex < 0) {
                best = x[index]!;
                bestIndex = index;
              }
            }
          }
          if (bestIndex >= 0)
            dx[bestIndex] = dx[bestIndex]! + dyValues[((b * outHeight + oh) * outWidth + ow) * channels + c]!;
        }
      }
    }
  }
  return wasm.makeOutput([...input!.shape], 'float32', undefined, dx);
};

const maxPoolGradKernel: tf.KernelFunc = ({ inputs, backend, attrs }) =>
  maxPoolGrad(
    inputs as Record<string, tf.TensorInfo>,
    backend as unknown as WasmBackendLike,
    attrs as Record<string, unknown>,
  );
