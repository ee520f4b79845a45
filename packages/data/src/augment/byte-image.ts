import { clampByte, type FloatImage } from '../image.js';
import type { ResampleFilter } from '../ops/resample.js';
import { resampleBytes } from '../ops/resample-bytes.js';

/**
 * An 8-bit planar image `[C,H,W]` — what a PIL image holds. TPT's views are PIL images until ToTensor, and
 * AugMix's operations (equalize, posterize, solarize...) are defined on 8-bit levels, so the view pipeline
 * works on this type and rounds where PIL rounds.
 */
export interface ByteImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/**
 * Interleaved 8-bit pixels (HWC, 1, 3 or 4 channels; alpha dropped) as a planar ByteImage, without the float
 * detour (to [0,1] and back), which gives the same bytes at a fraction of the cost for a large photo.
 */
export function interleavedToByteImage(pixels: {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}): ByteImage {
  const { width, height, channels: stride, data } = pixels;
  if (data.length !== width * height * stride) {
    throw new Error(
      `expected ${width * height * stride} values (${height}x${width}x${stride}, HWC), got ${data.length}`,
    );
  }
  const channels = stride === 1 ? 1 : 3;
  const size = width * height;
  const planar = new Uint8Array(channels * size);
  for (let c = 0; c < channels; c++) {
    const plane = c * size;
    for (let i = 0, j = c; i < size; i++, j += stride) planar[plane + i] = data[j]!;
  }
  return { width, height, channels, data: planar };
}

export function toByteImage(image: FloatImage): ByteImage {
  const data = new Uint8Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clampByte(image.data[i]! * 255);
  return { width: image.width, height: image.height, channels: image.channels, data };
}

/** PIL `Image.resize((width, height), filter)` on 8-bit data, bit for bit (PIL's fixed-point passes). */
export function resizeBytes(
  image: ByteImage,
  width: number,
  height: number,
  filter: ResampleFilter,
): ByteImage {
  const data = resampleBytes(image.data, image.channels, image.width, image.height, width, height, filter);
  return { width, height, channels: image.channels, data };
}

/** torchvision `Resize(size)` with an int: the shorter side becomes `size`, the longer int(size·long/short). */
export function resizeShorterSide(image: ByteImage, size: number, filter: ResampleFilter): ByteImage {
  const target = shorterSideTarget(image.width, image.height, size);
  return target ? resizeBytes(image, target.width, target.height, filter) : image;
}

/** The size torchvision `Resize(size)` gives a width × height image, or undefined when it is already that. */
export function shorterSideTarget(
  width: number,
  height: number,
  size: number,
): { width: number; height: number } | undefined {
  if ((width <= height && width === size) || (height <= width && height === size)) return undefined;
  if (width < height) return { width: size, height: Math.trunc((size * height) / width) };
  return { width: Math.trunc((size * width) / height), height: size };
}

export function cropBytes(
  image: ByteImage,
  left: number,
  top: number,
  width: number,
  height: number,
): ByteImage {
  const data = new Uint8Array(width * height * image.channels);
  const inSize = image.width * image.height;
  for (let c = 0; c < image.channels; c++) {
    for (let y = 0; y < height; y++) {
      const from = c * inSize + (top + y) * image.width + left;
      data.set(image.data.subarray(from, from + width), (c * height + y) * width);
    }
  }
  return { width, height, channels: image.channels, data };
}

/** PIL `transpose(FLIP_LEFT_RIGHT)`. */
export function flipHorizontal(image: ByteImage): ByteImage {
  const { width, height, channels } = image;
  const data = new Uint8Array(image.data.length);
  for (let row = 0; row < channels * height; row++) {
    for (let x = 0; x < width; x++) data[row * width + x] = image.data[row * width + width - 1 - x]!;
  }
  return { ...image, data };
}
