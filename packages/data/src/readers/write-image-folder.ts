// Writes test images of a dataset as a user's image folder would hold them (root/<label>/<file>.png plus a
// classes.txt that maps the folder names to prompt words), so `attune run --images` and the image-folder
// suite can be tried, and tested, on real images without writing IDX files by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PNG } from 'pngjs';
import { CLASSES_FILE } from './image-collection.js';
import type { ImageDataset } from './labelled-idx.js';

export interface WriteImageFolderOptions {
  /** How many images, the first `count` of the split (default 200). */
  readonly count?: number;
  /** Index of the first image (default 0). */
  readonly start?: number;
  /** Write a flat folder (no class sub-folders, no labels) instead. Default false. */
  readonly flat?: boolean;
}

/** Writes PNGs of `dataset` under `dir` and returns the paths written (classes.txt last, if any). */
export function writeImageFolder(
  dataset: ImageDataset,
  dir: string,
  options: WriteImageFolderOptions = {},
): string[] {
  const [total, height, width] = dataset.shape;
  const start = options.start ?? 0;
  const count = options.count ?? 200;
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    !Number.isInteger(start) ||
    start < 0 ||
    start + count > total
  ) {
    throw new Error(
      `expected 1 <= count and start + count <= ${total} (${dataset.name} ${dataset.split}), got start ${start}, count ${count}`,
    );
  }
  const root = resolve(dir);
  const written: string[] = [];
  const size = height * width;
  for (let index = start; index < start + count; index++) {
    const png = new PNG({ width, height });
    const rgba = png.data;
    for (let i = 0; i < size; i++) {
      const v = dataset.images[index * size + i]!;
      rgba[4 * i] = v;
      rgba[4 * i + 1] = v;
      rgba[4 * i + 2] = v;
      rgba[4 * i + 3] = 255;
    }
    const label = dataset.labels[index]!;
    const folder = options.flat ? root : join(root, String(label));
    mkdirSync(folder, { recursive: true });
    const path = join(folder, `${dataset.name}-${dataset.split}-${String(index).padStart(5, '0')}.png`);
    writeFileSync(path, PNG.sync.write(png, { colorType: 0 })); // grey, as the digits are
    written.push(path);
  }
  // A flat folder lists every class to choose among; class folders map each folder written to its words.
  const present = new Set(Array.from(dataset.labels.subarray(start, start + count)));
  const classes = options.flat
    ? dataset.classNames.join('\n')
    : dataset.classNames
        .map((name, label) => (present.has(label) ? `${label}=${name}` : ''))
        .filter((line) => line !== '')
        .join('\n');
  const classesPath = join(root, CLASSES_FILE);
  writeFileSync(classesPath, `${classes}\n`);
  written.push(classesPath);
  return written;
}
