/**
 * A float image: planar (channel-major, `[C,H,W]`), values in [0,1]. Every corruption, augmentation and
 * reader in this package speaks this one type; tfjs tensors are made from it at the edges.
 */
export interface FloatImage {
  readonly width: number;
  readonly height: number;
  readonly channels: number;
  readonly data: Float32Array;
}

export function createImage(width: number, height: number, channels = 1): FloatImage {
  return { width, height, channels, data: new Float32Array(width * height * channels) };
}

/** Checks shape and buffer length, and names what is wrong. */
export function assertImage(image: FloatImage, what = 'image'): void {
  const { width, height, channels, data } = image;
  for (const [name, value] of [
    ['width', width],
    ['height', height],
    ['channels', channels],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new Error(`${what}: expected a positive integer ${name}, got ${value}`);
    }
  }
  if (!(data instanceof Float32Array)) {
    throw new Error(
      `${what}: expected data to be a Float32Array [C,H,W], got ${Object.prototype.toString.call(data)}`,
    );
  }
  if (data.length !== width * height * channels) {
    throw new Error(
      `${what}: expected ${channels}x${height}x${width} = ${channels * height * width} values, got ${data.length}`,
    );
  }
}

/** Uint8 pixels (planar `[C,H,W]`) to a float image in [0,1]. */
export function imageFromUint8(pixels: Uint8Array, width: number, height: number, channels = 1): FloatImage {
  if (pixels.length !== width * height * channels) {
    throw new Error(
      `expected ${channels}x${height}x${width} = ${channels * height * width} uint8 values, got ${pixels.length}`,
    );
  }
  const data = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) data[i] = pixels[i]! / 255;
  return { width, height, channels, data };
}

/** Float image to uint8 (round to nearest, clip to [0,255]), planar `[C,H,W]`. */
export function imageToUint8(image: FloatImage): Uint8Array {
  const out = new Uint8Array(image.data.length);
  for (let i = 0; i < out.length; i++) out[i] = clampByte(image.data[i]! * 255);
  return out;
}

export function clampByte(value: number): number {
  if (!(value > 0)) return 0;
  if (value >= 255) return 255;
  return Math.round(value);
}

export function clip01(value: number): number {
  // NaN maps to 0 (a NaN never compares greater than 0).
  if (!(value > 0)) return 0;
  return Math.min(value, 1);
}

/** Returns a copy with every value clipped to [0,1]. */
export function clipImage(image: FloatImage): FloatImage {
  const data = new Float32Array(image.data.length);
  for (let i = 0; i < data.length; i++) data[i] = clip01(image.data[i]!);
  return { ...image, data };
}

/** One channel of an image as its own `[H,W]` plane (a copy). */
export function channelPlane(image: FloatImage, channel: number): Float32Array {
  const size = image.width * image.height;
  return image.data.slice(channel * size, (channel + 1) * size);
}

/** Applies `fn` to each channel plane independently and reassembles the image. */
export function mapChannels(
  image: FloatImage,
  fn: (plane: Float32Array, channel: number) => Float32Array,
): FloatImage {
  const size = image.width * image.height;
  const data = new Float32Array(image.data.length);
  for (let c = 0; c < image.channels; c++) {
    const out = fn(channelPlane(image, c), c);
    if (out.length !== size) throw new Error(`channel op returned ${out.length} values, expected ${size}`);
    data.set(out, c * size);
  }
  return { ...image, data };
}

/** Luma (ITU-R 601-2, as PIL's convert('L')) of an RGB image, or the single channel of a grey one. */
export function toGray(image: FloatImage): Float32Array {
  if (image.channels === 1) return image.data.slice();
  if (image.channels !== 3) throw new Error(`toGray: expected 1 or 3 channels, got ${image.channels}`);
  const size = image.width * image.height;
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    out[i] = 0.299 * image.data[i]! + 0.587 * image.data[size + i]! + 0.114 * image.data[2 * size + i]!;
  }
  return out;
}

/** Repeats a one-channel image into `channels` identical channels (grey -> RGB). */
export function replicateChannels(image: FloatImage, channels: number): FloatImage {
  if (image.channels === channels) return image;
  if (image.channels !== 1) {
    throw new Error(
      `replicateChannels: expected a 1-channel image to expand to ${channels}, got ${image.channels}`,
    );
  }
  const size = image.width * image.height;
  const data = new Float32Array(size * channels);
  for (let c = 0; c < channels; c++) data.set(image.data, c * size);
  return { width: image.width, height: image.height, channels, data };
}

/** Mean squared error between two images of the same shape. */
export function meanSquaredError(a: FloatImage, b: FloatImage): number {
  if (a.width !== b.width || a.height !== b.height || a.channels !== b.channels) {
    throw new Error(
      `meanSquaredError: shapes differ, [${a.channels},${a.height},${a.width}] vs [${b.channels},${b.height},${b.width}]`,
    );
  }
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const d = a.data[i]! - b.data[i]!;
    sum += d * d;
  }
  return sum / a.data.length;
}

/** Peak signal-to-noise ratio in dB for images in [0,1] (Infinity for identical images). */
export function psnr(reference: FloatImage, test: FloatImage): number {
  const mse = meanSquaredError(reference, test);
  return mse === 0 ? Number.POSITIVE_INFINITY : -10 * Math.log10(mse);
}

/** A float image in the models' layout: interleaved `[H,W,C]` (the shape of `@attune/contracts`' RawImage). */
export interface InterleavedImage {
  readonly data: Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

/** A decoded planar image as the methods take it (grey, RGB or RGBA). */
export function toInterleavedImage(image: FloatImage): InterleavedImage {
  const { width, height, channels } = image;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new Error(`expected an image with 1, 3 or 4 channels, got ${channels}`);
  }
  return { data: planarToInterleaved(image), width, height, channels };
}

/**
 * Interleaved `[H,W,C]` pixels of a planar float image: the layout image libraries and
 * `@attune/contracts`' RawImage use.
 */
export function planarToInterleaved(image: FloatImage): Float32Array {
  const { width, height, channels, data } = image;
  const plane = width * height;
  const out = new Float32Array(plane * channels);
  for (let c = 0; c < channels; c++) {
    for (let i = 0; i < plane; i++) out[i * channels + c] = data[c * plane + i]!;
  }
  return out;
}

/**
 * A planar float image from interleaved `[H,W,C]` pixels (uint8 0..255 or float 0..1), as decoders and
 * `@attune/contracts`' RawImage hold them. Grey stays one channel; RGB and RGBA become 3 (alpha dropped, as
 * PIL's convert('RGB')).
 */
export function interleavedToPlanar(pixels: {
  readonly data: Uint8Array | Uint8ClampedArray | Float32Array;
  readonly width: number;
  readonly height: number;
  readonly channels: number;
}): FloatImage {
  const { width, height, channels: stride, data } = pixels;
  if (data.length !== width * height * stride) {
    throw new Error(
      `expected ${width * height * stride} values (${height}x${width}x${stride}, HWC), got ${data.length}`,
    );
  }
  const channels = stride === 1 ? 1 : 3;
  const scale = data instanceof Float32Array ? 1 : 1 / 255;
  const size = width * height;
  const planar = new Float32Array(channels * size);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < channels; c++) planar[c * size + i] = data[i * stride + c]! * scale;
  }
  return { width, height, channels, data: planar };
}
