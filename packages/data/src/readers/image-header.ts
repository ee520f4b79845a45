// What an image file is, read from its bytes (magic numbers and header), never from its extension, and how
// many pixels it holds, so a decompression bomb is refused before a decoder allocates for it.

export type ImageFormat = 'png' | 'jpeg';

/** Formats recognised only to name them in an error: attune decodes PNG and JPEG. */
const OTHER_FORMATS: readonly { readonly name: string; readonly magic: readonly number[] }[] = [
  { name: 'GIF', magic: [0x47, 0x49, 0x46, 0x38] },
  { name: 'BMP', magic: [0x42, 0x4d] },
  { name: 'TIFF', magic: [0x49, 0x49, 0x2a, 0x00] },
  { name: 'TIFF', magic: [0x4d, 0x4d, 0x00, 0x2a] },
  { name: 'WebP (RIFF)', magic: [0x52, 0x49, 0x46, 0x46] },
  { name: 'ICO', magic: [0x00, 0x00, 0x01, 0x00] },
  { name: 'gzip', magic: [0x1f, 0x8b] },
  { name: 'PDF', magic: [0x25, 0x50, 0x44, 0x46] },
];
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b);

/** The format the bytes are in: 'png', 'jpeg', or an Error saying what they are instead. */
export function sniffImageFormat(bytes: Uint8Array): ImageFormat | Error {
  if (startsWith(bytes, PNG_MAGIC)) return 'png';
  if (startsWith(bytes, JPEG_MAGIC)) return 'jpeg';
  const other = OTHER_FORMATS.find((f) => startsWith(bytes, f.magic));
  if (other) return new Error(`unsupported image format ${other.name}; expected a PNG or JPEG image`);
  return new Error(
    'not a PNG or JPEG image (its first bytes match neither format); expected a PNG or JPEG image',
  );
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** Width and height from a PNG's IHDR chunk (bytes 16-23), or undefined when the header is cut short. */
function pngSize(bytes: Uint8Array): ImageSize | undefined {
  if (bytes.length < 24) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Width and height from a JPEG's first start-of-frame marker, or undefined when none is found. */
function jpegSize(bytes: Uint8Array): ImageSize | undefined {
  let i = 2;
  while (i + 9 < bytes.length) {
    if (bytes[i] !== 0xff) return undefined;
    const marker = bytes[i + 1]!;
    if (marker === 0xff) {
      i += 1; // fill byte
      continue;
    }
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!;
    // SOF0-SOF15, except DHT (C4), JPG (C8) and DAC (CC), carry the frame size.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: (bytes[i + 5]! << 8) | bytes[i + 6]!, width: (bytes[i + 7]! << 8) | bytes[i + 8]! };
    }
    i += 2 + length;
  }
  return undefined;
}

export function imageSize(bytes: Uint8Array, format: ImageFormat): ImageSize | undefined {
  return format === 'png' ? pngSize(bytes) : jpegSize(bytes);
}

/** True when the file's last bytes are the format's end marker (PNG's IEND chunk, JPEG's EOI). */
export function hasEndMarker(bytes: Uint8Array, format: ImageFormat): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 12));
  if (format === 'png') return new TextDecoder('latin1').decode(tail.subarray(4, 8)) === 'IEND';
  for (let i = tail.length - 2; i >= 0; i--) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
  return false;
}
