import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { listImageFolder, loadImageFolder, readImageFile } from '../src/index.js';

/** A 4×3 RGBA image whose pixel (x, y) has R = 10x + 50y, G = 200, B = 255 − R. */
function pixels(): Uint8Array {
  const data = new Uint8Array(4 * 3 * 4);
  for (let y = 0; y < 3; y++) {
    for (let x = 0; x < 4; x++) {
      const at = (y * 4 + x) * 4;
      data[at] = 10 * x + 50 * y;
      data[at + 1] = 200;
      data[at + 2] = 255 - data[at]!;
      data[at + 3] = 128; // alpha is dropped, as PIL's convert('RGB')
    }
  }
  return data;
}

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'folder-'));
  for (const name of ['dog', 'cat', 'cat/nested']) mkdirSync(join(root, name), { recursive: true });
  const png = new PNG({ width: 4, height: 3 });
  png.data.set(pixels());
  writeFileSync(join(root, 'cat', 'b.png'), PNG.sync.write(png));
  writeFileSync(join(root, 'cat', 'nested', 'a.PNG'), PNG.sync.write(png));
  // A flat grey JPEG decodes to (almost) the same grey.
  const grey = new Uint8Array(16 * 16 * 4).fill(90);
  writeFileSync(join(root, 'dog', 'grey.jpg'), jpeg.encode({ width: 16, height: 16, data: grey }, 95).data);
  writeFileSync(join(root, 'dog', 'notes.txt'), 'not an image');
  writeFileSync(join(root, 'README'), 'a file at the root is not a class');
});

describe('listImageFolder', () => {
  it('labels images by sorted class sub-folder, walks nested folders, skips other files', () => {
    const listing = listImageFolder(root);
    expect(listing.classNames).toEqual(['cat', 'dog']);
    expect(listing.entries.map((e) => [e.path.slice(root.length + 1), e.label])).toEqual([
      ['cat/b.png', 0],
      ['cat/nested/a.PNG', 0],
      ['dog/grey.jpg', 1],
    ]);
  });

  it('says what layout it expected', () => {
    expect(() => listImageFolder(join(root, 'missing'))).toThrow(/image folder .*missing: cannot read it/);
    expect(() => listImageFolder(join(root, 'cat', 'nested'))).toThrow(
      'expected one sub-folder per class (root/<class>/<image>), found none',
    );
    const empty = mkdtempSync(join(tmpdir(), 'empty-'));
    mkdirSync(join(empty, 'only'));
    expect(() => listImageFolder(empty)).toThrow('found 0 images with extensions .png, .jpg, .jpeg');
  });
});

describe('reading images', () => {
  it('decodes PNG exactly into planar RGB floats', () => {
    const image = readImageFile(join(root, 'cat', 'b.png'));
    expect([image.channels, image.height, image.width]).toEqual([3, 3, 4]);
    const size = 12;
    // pixel (x=3, y=2): R = 130, G = 200, B = 125
    expect(image.data[2 * 4 + 3]).toBeCloseTo(130 / 255, 6);
    expect(image.data[size + 2 * 4 + 3]).toBeCloseTo(200 / 255, 6);
    expect(image.data[2 * size + 2 * 4 + 3]).toBeCloseTo(125 / 255, 6);
  });

  it('decodes JPEG through jpeg-js', () => {
    const image = readImageFile(join(root, 'dog', 'grey.jpg'));
    expect([image.channels, image.height, image.width]).toEqual([3, 16, 16]);
    expect(image.data.every((v) => Math.abs(v - 90 / 255) < 2 / 255)).toBe(true);
  });

  it('loads a whole folder', () => {
    const folder = loadImageFolder(root);
    expect(folder.images).toHaveLength(3);
    expect(folder.labels).toEqual([0, 0, 1]);
  });

  it('names the file it cannot decode or read', () => {
    const broken = join(root, 'dog', 'broken.png');
    writeFileSync(broken, 'not a png');
    expect(() => readImageFile(broken)).toThrow(/broken\.png: not a PNG or JPEG image/);
    expect(() => readImageFile(join(root, 'dog', 'notes.txt'))).toThrow(
      /notes\.txt: not a PNG or JPEG image/,
    );
  });
});
