import type { FloatImage } from '../image.js';
import { readIdx } from './idx.js';

export type Split = 'train' | 'test';
export const SPLITS: readonly Split[] = ['train', 'test'];

/** A labelled set of single-channel uint8 images, as MNIST-style IDX files hold them. */
export interface ImageDataset {
  readonly name: string;
  readonly split: Split;
  /** Pixels, row-major `[N,H,W]`. */
  readonly images: Uint8Array;
  readonly shape: readonly [count: number, height: number, width: number];
  readonly labels: Uint8Array;
  readonly classNames: readonly string[];
}

/** Reads an images IDX file `[N,H,W]` uint8 and a labels IDX file `[N]` uint8 and checks they agree. */
export function readLabelledIdx(
  name: string,
  split: Split,
  imagesPath: string,
  labelsPath: string,
  classNames: readonly string[],
): ImageDataset {
  const images = readIdx(imagesPath);
  const labels = readIdx(labelsPath);
  if (images.type !== 'uint8' || images.shape.length !== 3) {
    throw new Error(
      `${imagesPath}: expected uint8 images [N,H,W], got ${images.type} [${images.shape.join(',')}]`,
    );
  }
  if (labels.type !== 'uint8' || labels.shape.length !== 1) {
    throw new Error(
      `${labelsPath}: expected uint8 labels [N], got ${labels.type} [${labels.shape.join(',')}]`,
    );
  }
  const [count, height, width] = images.shape as [number, number, number];
  if (labels.shape[0] !== count) {
    throw new Error(
      `${name} ${split}: ${count} images but ${labels.shape[0]} labels; expected one label per image`,
    );
  }
  const labelData = labels.data as Uint8Array;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i]! >= classNames.length) {
      throw new Error(
        `${labelsPath}: label ${labelData[i]} at index ${i} is outside 0..${classNames.length - 1}`,
      );
    }
  }
  return {
    name,
    split,
    images: images.data as Uint8Array,
    shape: [count, height, width],
    labels: labelData,
    classNames,
  };
}

/** Image `index` of a dataset as a one-channel float image in [0,1]. */
export function datasetImage(dataset: ImageDataset, index: number): FloatImage {
  const [count, height, width] = dataset.shape;
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new Error(
      `${dataset.name} ${dataset.split}: index ${index} is out of range, expected an integer in 0..${count - 1}`,
    );
  }
  const size = height * width;
  const data = new Float32Array(size);
  const offset = index * size;
  for (let i = 0; i < size; i++) data[i] = dataset.images[offset + i]! / 255;
  return { width, height, channels: 1, data };
}
