// Bad image files: each error names the file, the problem and what would be right. Decoding goes by content.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { decodeImage, imageSize, readImageFile, sniffImageFormat } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-image-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  delete process.env.ATTUNE_MAX_IMAGE_PIXELS;
});

function pngBytes(width = 32, height = 24): Buffer {
  const png = new PNG({ width, height });
  png.data.fill(200);
  return PNG.sync.write(png);
}
function jpegBytes(width = 32, height = 24): Buffer {
  return Buffer.from(jpeg.encode({ width, height, data: Buffer.alloc(width * height * 4, 90) }, 90).data);
}
/** A real PNG whose IHDR claims another size (the CRC no longer matches; the size check comes first). */
function pngClaiming(width: number, height: number): Buffer {
  const bytes = Buffer.from(pngBytes());
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes;
}
/** A real JPEG whose start-of-frame claims another size. */
function jpegClaiming(width: number, height: number): Buffer {
  const bytes = Buffer.from(jpegBytes());
  for (let i = 2; i < bytes.length - 9; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xc0) {
      bytes.writeUInt16BE(height, i + 5);
      bytes.writeUInt16BE(width, i + 7);
      return bytes;
    }
  }
  throw new Error('no SOF0 marker in the fixture JPEG');
}
function file(name: string, content: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('readImageFile: bad files are errors naming the file', () => {
  mkdirSync(join(dir, 'folder.png'));
  const png = pngBytes();
  const jpg = jpegBytes();
  const cases: [string, () => string, RegExp][] = [
    [
      'an empty file',
      () => file('empty.png', ''),
      /empty\.png is empty \(0 bytes\); expected a PNG or JPEG image/,
    ],
    [
      'a directory',
      () => join(dir, 'folder.png'),
      /folder\.png is a directory; expected a PNG or JPEG image file/,
    ],
    [
      'a missing file',
      () => join(dir, 'missing.png'),
      /missing\.png: no such file; expected a PNG or JPEG image/,
    ],
    [
      'a truncated PNG',
      () => file('cut.png', png.subarray(0, png.length >> 1)),
      /cut\.png is a truncated PNG \(\d+ bytes/,
    ],
    [
      'a PNG cut in its header',
      () => file('cut-header.png', png.subarray(0, 12)),
      /cut-header\.png is a truncated PNG/,
    ],
    [
      'a truncated JPEG',
      () => file('cut.jpg', jpg.subarray(0, Math.floor(jpg.length * 0.9))),
      /cut\.jpg is a truncated JPEG/,
    ],
    [
      'a GIF',
      () => file('anim.gif', Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')),
      /anim\.gif: unsupported image format GIF; expected a PNG or JPEG image/,
    ],
    [
      'a BMP named .png',
      () => file('bitmap.png', Buffer.from('BM\x00\x00\x00\x00', 'latin1')),
      /bitmap\.png: unsupported image format BMP/,
    ],
    [
      'a WebP',
      () => file('photo.webp', Buffer.from('RIFF\x00\x00\x00\x00WEBP', 'latin1')),
      /photo\.webp: unsupported image format WebP/,
    ],
    [
      'a text file named .jpg',
      () => file('notes.jpg', 'hello world'),
      /notes\.jpg: not a PNG or JPEG image \(its first bytes match neither format\)/,
    ],
    [
      'a PNG bomb (100k × 100k)',
      () => file('bomb.png', pngClaiming(100_000, 100_000)),
      /bomb\.png: 100000×100000 = 10000\.0 MP is more than the limit of 40\.0 MP/,
    ],
    [
      'a JPEG bomb (65k × 65k)',
      () => file('bomb.jpg', jpegClaiming(65_000, 65_000)),
      /bomb\.jpg: 65000×65000 = 4225\.0 MP is more than the limit of 40\.0 MP/,
    ],
    [
      'a PNG claiming 0 × 10',
      () => file('zero.png', pngClaiming(0, 10)),
      /zero\.png: its header gives a 0×10 image; expected at least 1×1 pixels/,
    ],
  ];
  it.each(cases)('%s', (_what, make, message) => {
    expect(() => readImageFile(make())).toThrow(message);
  });

  it('never echoes the content of a file that is not an image', () => {
    const secret = file('passwd.png', 'root:x:0:0:root:/root:/bin/bash\n');
    expect(() => readImageFile(secret)).toThrow(/^(?!.*root:x).*passwd\.png: not a PNG or JPEG image/);
  });
});

describe('decoding goes by content, and the pixel limit is configurable', () => {
  it('decodes a PNG named .jpg and a JPEG named .png', () => {
    expect(readImageFile(file('really-png.jpg', pngBytes(5, 7)))).toMatchObject({
      width: 5,
      height: 7,
      channels: 3,
    });
    expect(readImageFile(file('really-jpeg.png', jpegBytes(9, 4)))).toMatchObject({ width: 9, height: 4 });
  });

  it('reads the size from the header without decoding', () => {
    expect(sniffImageFormat(pngBytes())).toBe('png');
    expect(imageSize(pngBytes(640, 480), 'png')).toEqual({ width: 640, height: 480 });
    expect(imageSize(jpegBytes(50, 30), 'jpeg')).toEqual({ width: 50, height: 30 });
  });

  it('refuses by the maxPixels option and by $ATTUNE_MAX_IMAGE_PIXELS', () => {
    const path = file('small.png', pngBytes(32, 24));
    expect(() => readImageFile(path, { maxPixels: 500 })).toThrow(
      /small\.png: 32×24 = 768 pixels is more than the limit of 500 pixels; expected a smaller image/,
    );
    process.env.ATTUNE_MAX_IMAGE_PIXELS = '700';
    expect(() => readImageFile(path)).toThrow(/more than the limit/);
    process.env.ATTUNE_MAX_IMAGE_PIXELS = '768';
    expect(readImageFile(path).width).toBe(32);
  });

  it.each([['lots'], ['-5'], ['1.5']])(
    'a bad $ATTUNE_MAX_IMAGE_PIXELS (%s) is an error naming it',
    (value) => {
      process.env.ATTUNE_MAX_IMAGE_PIXELS = value;
      expect(() => decodeImage(pngBytes(), 'x.png')).toThrow(
        `ATTUNE_MAX_IMAGE_PIXELS must be a positive integer number of pixels (e.g. 40000000), got "${value}"`,
      );
    },
  );
});
