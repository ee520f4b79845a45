// A user's image folder written from real MNIST test digits (root/<label>/<file>.png + classes.txt), then
// listed as `attune run --images` and the image-folder suite list it: labels, prompt words, sha256 per file,
// and every error of the list (no images, unreadable files, classes that don't match the folders).
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loadMnist,
  MNIST_CLASS_NAMES,
  parseClassSpec,
  readImageFile,
  scanImages,
  writeImageFolder,
} from '../src/index.js';

const base = mkdtempSync(join(tmpdir(), 'attune-images-'));
const digits = join(base, 'digits');
const flat = join(base, 'flat');
const mnist = loadMnist('test');

beforeAll(() => {
  writeImageFolder(mnist, digits, { count: 30 });
  writeImageFolder(mnist, flat, { count: 5, start: 100, flat: true });
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('scanImages on class folders', () => {
  it('labels each image by its folder and names classes from classes.txt (folder=words)', () => {
    const collection = scanImages(digits);
    expect(collection.layout).toBe('class-folders');
    expect(collection.images).toHaveLength(30);
    expect(collection.classesSource).toBe('classes.txt');
    // Only the labels that occur among the first 30 test digits have folders.
    const present = [...new Set(Array.from(mnist.labels.subarray(0, 30)))].sort();
    expect(collection.classFolders).toEqual(present.map(String));
    expect(collection.classNames).toEqual(present.map((l) => MNIST_CLASS_NAMES[l]));
    for (const image of collection.images) {
      const index = Number(/(\d{5})\.png$/.exec(image.path)![1]);
      expect(collection.classNames[image.label!]).toBe(MNIST_CLASS_NAMES[mnist.labels[index]!]);
      expect(image.sha256).toBe(createHash('sha256').update(readFileSync(image.path)).digest('hex'));
    }
    // The PNG holds the digit's pixels exactly.
    const first = collection.images.find((i) => i.relativePath.endsWith('00000.png'))!;
    const decoded = readImageFile(first.path);
    expect(Math.round(decoded.data[14 * 28 + 14]! * 255)).toBe(mnist.images[14 * 28 + 14]);
  });

  it('takes --classes over classes.txt, as a list of the folder names or a folder=words mapping', () => {
    const folders = scanImages(digits).classFolders;
    expect(scanImages(digits, { classes: [...folders].reverse() }).classNames).toEqual(folders);
    const mapping = Object.fromEntries(folders.map((f) => [f, `digit ${f}`]));
    expect(scanImages(digits, { classes: mapping }).classNames).toEqual(folders.map((f) => `digit ${f}`));
  });

  it('refuses --classes that do not match the class folders, naming both sides', () => {
    expect(() => scanImages(digits, { classes: ['cat', 'dog'] })).toThrow(
      /--classes does not match the class folders .*folders without a class: 0, 1.*classes without a folder: cat, dog/,
    );
    expect(() => scanImages(digits, { classes: { '0': 'zero' } })).toThrow(/folders without a class: 1, 2/);
  });
});

describe('scanImages on a flat folder', () => {
  it('lists unlabelled images with the class list from classes.txt', () => {
    const collection = scanImages(flat);
    expect(collection.layout).toBe('flat');
    expect(collection.images.map((i) => i.label)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(collection.classNames).toEqual([...MNIST_CLASS_NAMES]);
  });

  it('refuses a folder=words mapping for a flat folder', () => {
    expect(() => scanImages(flat, { classes: { a: 'b' } })).toThrow(/flat folder .*expected a plain list/);
  });
});

describe('scanImages errors', () => {
  it('a folder with no images says what it expected', () => {
    const empty = join(base, 'empty');
    mkdirSync(join(empty, 'cats'), { recursive: true });
    writeFileSync(join(empty, 'notes.txt'), 'hello');
    expect(() => scanImages(empty)).toThrow(/holds no images .*\.png, \.jpg, \.jpeg/);
    expect(() => scanImages(join(base, 'missing'))).toThrow(/does not exist/);
  });

  it('an unreadable file is fatal and named by default; skipped and counted with skipUnreadable', () => {
    const broken = join(base, 'broken');
    mkdirSync(join(broken, '3'), { recursive: true });
    const [a, b] = scanImages(digits).images;
    copyFileSync(a!.path, join(broken, '3', 'a.png'));
    const bytes = readFileSync(b!.path);
    writeFileSync(join(broken, '3', 'b.png'), bytes.subarray(0, bytes.length - 30)); // cut short
    writeFileSync(join(broken, '3', 'c.jpg'), 'GIF89a not really');
    expect(() => scanImages(broken)).toThrow(/b\.png is a truncated PNG .*--skip-unreadable/);
    const collection = scanImages(broken, { skipUnreadable: true });
    expect(collection.images.map((i) => i.relativePath)).toEqual(['3/a.png']);
    expect(collection.skipped.map((s) => s.relativePath)).toEqual(['3/b.png', '3/c.jpg']);
    expect(collection.skipped[1]!.reason).toMatch(/unsupported image format GIF/);
  });

  it('refuses a folder that mixes top-level images with class folders', () => {
    const mixed = join(base, 'mixed');
    mkdirSync(join(mixed, 'a'), { recursive: true });
    const [a] = scanImages(digits).images;
    copyFileSync(a!.path, join(mixed, 'a', 'x.png'));
    copyFileSync(a!.path, join(mixed, 'y.png'));
    expect(() => scanImages(mixed)).toThrow(/both images at its top level .*and class sub-folders/);
  });

  it('parses --classes lists and mappings, and refuses mixed or repeated ones', () => {
    expect(parseClassSpec('zero, one')).toEqual(['zero', 'one']);
    expect(parseClassSpec('0=zero,1=the digit one')).toEqual({ '0': 'zero', '1': 'the digit one' });
    expect(() => parseClassSpec('0=zero,one')).toThrow(/mixes a plain class \("one"\)/);
    expect(() => parseClassSpec('a,a')).toThrow(/names class "a" twice/);
    expect(() => parseClassSpec(' , ')).toThrow(/names no classes/);
  });
});
