import type { RawImage } from '@attune/contracts';

const CHANNEL_COUNTS = [1, 3, 4] as const;

/** True for uint8 storage (0..255), false for float storage (0..1). */
export function isByteImage(image: RawImage): boolean {
  return image.data instanceof Uint8Array || image.data instanceof Uint8ClampedArray;
}

/**
 * Checks an image before any work is done on it; every problem names what would be right. Float images must
 * hold finite values in [0, 1] (a float image holding 0..255 is refused rather than silently clipped).
 */
export function checkRawImage(image: RawImage, what = 'image'): void {
  if (image === null || typeof image !== 'object') {
    throw new TypeError(`${what}: expected a RawImage { data, width, height, channels }, got ${image}`);
  }
  const { data, width, height, channels } = image;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Float32Array)) {
    const got = data === null || data === undefined ? String(data) : (data as object).constructor?.name;
    throw new TypeError(
      `${what}: expected data as a Uint8Array, Uint8ClampedArray (0..255) or Float32Array (0..1), got ${got}`,
    );
  }
  if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
    throw new Error(`${what}: expected positive integer width and height, got ${width}x${height}`);
  }
  if (!(CHANNEL_COUNTS as readonly number[]).includes(channels)) {
    throw new Error(
      `${what}: expected 1 (grayscale), 3 (RGB) or 4 (RGBA) channels, got ${channels}; convert the image first`,
    );
  }
  const expected = width * height * channels;
  if (data.length !== expected) {
    throw new Error(
      `${what}: expected ${expected} values (${height}x${width}x${channels}, HWC), got ${data.length}; ` +
        'is width, height or channels wrong?',
    );
  }
  if (data instanceof Float32Array) {
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (Number.isNaN(v) || !Number.isFinite(v)) {
        throw new Error(
          `${what}: pixel value ${v} at ${where(i, width, channels)}; expected finite values in [0, 1]`,
        );
      }
      if (v < 0 || v > 1) {
        throw new Error(
          `${what}: float pixel value ${v} at ${where(i, width, channels)} is outside [0, 1]; float images must be in [0, 1] ` +
            '(pass a Uint8Array for 0..255 data)',
        );
      }
    }
  }
}

function where(index: number, width: number, channels: number): string {
  const pixel = Math.floor(index / channels);
  return `x ${pixel % width}, y ${Math.floor(pixel / width)}, channel ${index % channels}`;
}
