// An uploaded image: its type is sniffed from the bytes (the declared content type must agree), its size is
// read from the header and checked against the pixel limit before anything is decoded, so a small file
// that claims a huge image (a decompression bomb) is refused without allocating it.
import { decodeJpeg, decodePng, type FloatImage } from '@attune/data';

export type ImageType = 'image/png' | 'image/jpeg';

export interface ImageLimits {
  /** Most bytes an upload may have. */
  readonly maxBytes: number;
  /** Most pixels (width × height) an upload may have. */
  readonly maxPixels: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxBytes: 8 * 1024 * 1024, maxPixels: 4096 * 4096 };

/** A refused upload; `status` is the HTTP status it maps to (413 too large, 415 wrong type, 400 broken). */
export class ImageUploadError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 413 | 415,
  ) {
    super(message);
    this.name = 'ImageUploadError';
  }
}

export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= 8 && png.every((b, i) => bytes[i] === b)) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  return undefined;
}

/** Width and height from the PNG IHDR chunk or the first JPEG start-of-frame segment. */
export function imageDimensions(bytes: Uint8Array, type: ImageType): { width: number; height: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (type === 'image/png') {
    if (bytes.length < 24) throw new ImageUploadError('the PNG is truncated: no IHDR chunk', 400);
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) break;
    const marker = bytes[offset + 1]!;
    const length = view.getUint16(offset + 2);
    // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but do not.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    offset += 2 + length;
  }
  throw new ImageUploadError('the JPEG has no start-of-frame segment (broken or truncated file)', 400);
}

/** Checks and decodes an upload to a planar float image in [0,1]. */
export function decodeUpload(
  bytes: Uint8Array,
  declaredType: string,
  limits: ImageLimits = DEFAULT_IMAGE_LIMITS,
): FloatImage {
  if (bytes.length > limits.maxBytes) {
    throw new ImageUploadError(
      `the image is ${formatBytes(bytes.length)}; uploads are limited to ${formatBytes(limits.maxBytes)}`,
      413,
    );
  }
  const type = sniffImageType(bytes);
  if (!type) throw new ImageUploadError('expected a PNG or JPEG image; the file is neither', 415);
  const declared = declaredType.toLowerCase();
  if (declared !== type && !(type === 'image/jpeg' && declared === 'image/jpg')) {
    throw new ImageUploadError(`the file is a ${type} but was sent as "${declaredType}"`, 415);
  }
  const { width, height } = imageDimensions(bytes, type);
  if (width < 1 || height < 1) throw new ImageUploadError(`the image is ${width}×${height}: empty`, 400);
  if (width * height > limits.maxPixels) {
    throw new ImageUploadError(
      `the image is ${width}×${height} = ${width * height} pixels; the limit is ${limits.maxPixels} pixels`,
      413,
    );
  }
  try {
    return type === 'image/png' ? decodePng(bytes, 'upload') : decodeJpeg(bytes, 'upload');
  } catch (error) {
    throw new ImageUploadError(`cannot decode the image: ${(error as Error).message}`, 400);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} B`;
}
