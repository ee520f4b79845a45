import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import type { FloatImage } from '../image.js';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

/** Interleaved 8-bit pixels with `stride` bytes per pixel -> planar RGB float image (alpha dropped, as PIL's convert('RGB')). */
function interleavedToRgb(pixels: Uint8Array, width: number, height: number, stride: number): FloatImage {
  const size = width * height;
  const data = new Float32Array(3 * size);
  for (let i = 0; i < size; i++) {
    for (let c = 0; c < 3; c++) data[c * size + i] = pixels[i * stride + c]! / 255;
  }
  return { width, height, channels: 3, data };
}

/** Decodes PNG bytes (pngjs) to a 3-channel float image. */
export function decodePng(bytes: Uint8Array, label = 'PNG'): FloatImage {
  let png: PNG;
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (error) {
    throw new Error(`${label}: cannot decode PNG (${(error as Error).message})`);
  }
  return interleavedToRgb(png.data, png.width, png.height, 4);
}

/** Decodes JPEG bytes (jpeg-js) to a 3-channel float image. */
export function decodeJpeg(bytes: Uint8Array, label = 'JPEG'): FloatImage {
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  } catch (error) {
    throw new Error(`${label}: cannot decode JPEG (${(error as Error).message})`);
  }
  return interleavedToRgb(decoded.data, decoded.width, decoded.height, 3);
}

/** Reads a .png/.jpg/.jpeg file into a 3-channel float image in [0,1]. */
export function readImageFile(path: string): FloatImage {
  const extension = extname(path).toLowerCase();
  const bytes = readFileSync(path);
  if (extension === '.png') return decodePng(bytes, path);
  if (extension === '.jpg' || extension === '.jpeg') return decodeJpeg(bytes, path);
  throw new Error(
    `${path}: unsupported image extension "${extension}", expected one of ${IMAGE_EXTENSIONS.join(', ')}`,
  );
}
