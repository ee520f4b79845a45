import { readFileSync, statSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { FloatImage } from '../image.js';
import { hasEndMarker, type ImageFormat, imageSize, sniffImageFormat } from './image-header.js';

/** The extensions an image folder lists; decoding itself goes by the file's content, not its name. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Default pixel-count limit (40 megapixels): a larger image is refused from its header, before decoding. */
export const DEFAULT_MAX_IMAGE_PIXELS = 40_000_000;

export interface ReadImageOptions {
  /** Most pixels (width × height) an image may have. Default: $ATTUNE_MAX_IMAGE_PIXELS, else 40 MP. */
  readonly maxPixels?: number;
}

/** The limit in force: the option, else $ATTUNE_MAX_IMAGE_PIXELS, else 40 MP. */
export function maxImagePixels(options: ReadImageOptions = {}): number {
  if (options.maxPixels !== undefined) return checkedLimit('maxPixels', String(options.maxPixels));
  const fromEnv = process.env.ATTUNE_MAX_IMAGE_PIXELS;
  return fromEnv === undefined || fromEnv === ''
    ? DEFAULT_MAX_IMAGE_PIXELS
    : checkedLimit('ATTUNE_MAX_IMAGE_PIXELS', fromEnv);
}

function checkedLimit(what: string, text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new Error(`${what} must be a positive integer number of pixels (e.g. 40000000), got "${text}"`);
  }
  return n;
}

/** Interleaved 8-bit pixels with `stride` bytes per pixel -> planar RGB float image (alpha dropped, as PIL's convert('RGB')). */
function interleavedToRgb(pixels: Uint8Array, width: number, height: number, stride: number): FloatImage {
  const size = width * height;
  const data = new Float32Array(3 * size);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < 3; c++) data[c * size + i] = pixels[i * stride + c]! / 255;
  }
  return { width, height, channels: 3, data };
}

/** Says why a decoder failed in words: a missing end marker means the file was cut short. */
function decodeFailure(label: string, format: ImageFormat, bytes: Uint8Array, error: unknown): Error {
  const name = format === 'png' ? 'PNG' : 'JPEG';
  const why = hasEndMarker(bytes, format)
    ? `is a corrupt ${name}`
    : `is a truncated ${name} (${bytes.length} bytes, the image data ends early)`;
  return new Error(
    `${label} ${why}; expected a complete PNG or JPEG image (decoder: ${(error as Error).message})`,
  );
}

const pixelCount = (n: number) => (n >= 100_000 ? `${(n / 1e6).toFixed(1)} MP` : `${n} pixels`);

/** Refuses an image whose header says it has more pixels than the limit, or no pixels at all. */
function checkSize(label: string, format: ImageFormat, bytes: Uint8Array, maxPixels: number): void {
  const size = imageSize(bytes, format);
  if (!size) return; // a cut-short header: the decoder's failure says so
  const pixels = size.width * size.height;
  if (pixels === 0) {
    throw new Error(
      `${label}: its header gives a ${size.width}×${size.height} image; expected at least 1×1 pixels`,
    );
  }
  if (pixels > maxPixels) {
    throw new Error(
      `${label}: ${size.width}×${size.height} = ${pixelCount(pixels)} is more than the limit of ` +
        `${pixelCount(maxPixels)}; expected a smaller image (or raise ATTUNE_MAX_IMAGE_PIXELS)`,
    );
  }
}

/** Decodes PNG bytes (pngjs) to a 3-channel float image. */
export function decodePng(bytes: Uint8Array, label = 'PNG', options: ReadImageOptions = {}): FloatImage {
  checkSize(label, 'png', bytes, maxImagePixels(options));
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw decodeFailure(label, 'png', bytes, error);
  }
  return interleavedToRgb(png.data, png.width, png.height, 4);
}

/** Decodes JPEG bytes (jpeg-js) to a 3-channel float image. */
export function decodeJpeg(bytes: Uint8Array, label = 'JPEG', options: ReadImageOptions = {}): FloatImage {
  const maxPixels = maxImagePixels(options);
  checkSize(label, 'jpeg', bytes, maxPixels);
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.max(512, Math.ceil((maxPixels * 16) / 2 ** 20)),
    });
  } catch (error) {
    throw decodeFailure(label, 'jpeg', bytes, error);
  }
  return interleavedToRgb(decoded.data, decoded.width, decoded.height, 3);
}

/** Decodes image bytes by their content (PNG or JPEG magic bytes); `label` names the source in errors. */
export function decodeImage(bytes: Uint8Array, label: string, options: ReadImageOptions = {}): FloatImage {
  if (bytes.length === 0) throw new Error(`${label} is empty (0 bytes); expected a PNG or JPEG image`);
  const format = sniffImageFormat(bytes);
  if (format instanceof Error) throw new Error(`${label}: ${format.message}`);
  return format === 'png' ? decodePng(bytes, label, options) : decodeJpeg(bytes, label, options);
}

/** Reads a PNG or JPEG file (whatever its extension) into a 3-channel float image in [0,1]. */
export function readImageFile(path: string, options: ReadImageOptions = {}): FloatImage {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(path);
  } catch {
    throw new Error(`${path}: no such file; expected a PNG or JPEG image`);
  }
  if (stat.isDirectory()) throw new Error(`${path} is a directory; expected a PNG or JPEG image file`);
  if (!stat.isFile()) throw new Error(`${path} is not a regular file; expected a PNG or JPEG image file`);
  return decodeImage(readFileSync(path), path, options);
}
