import { readdirSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FloatImage } from '../image.js';
import { IMAGE_EXTENSIONS, readImageFile } from './image-file.js';

export interface ImageFolderEntry {
  readonly path: string;
  readonly label: number;
}

export interface ImageFolderListing {
  /** Sub-folder names, sorted; a label is an index into this list. */
  readonly classNames: readonly string[];
  readonly entries: readonly ImageFolderEntry[];
}

/**
 * Lists an image folder laid out as torchvision's ImageFolder: one sub-folder per class (sorted names give
 * the label order), image files (.png, .jpg, .jpeg) anywhere below it, sorted by path. Other files are skipped.
 */
export function listImageFolder(root: string): ImageFolderListing {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch (error) {
    throw new Error(`image folder ${root}: cannot read it (${(error as Error).message})`);
  }
  const classNames = names.filter((name) => statSync(join(root, name)).isDirectory()).sort();
  if (classNames.length === 0) {
    throw new Error(
      `image folder ${root}: expected one sub-folder per class (root/<class>/<image>), found none`,
    );
  }
  const entries: ImageFolderEntry[] = [];
  classNames.forEach((className, label) => {
    for (const path of walkImages(join(root, className))) entries.push({ path, label });
  });
  if (entries.length === 0) {
    throw new Error(
      `image folder ${root}: found 0 images with extensions ${IMAGE_EXTENSIONS.join(', ')} in its class sub-folders`,
    );
  }
  return { classNames, entries };
}

function walkImages(directory: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) found.push(...walkImages(path));
    else if ((IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase())) found.push(path);
  }
  return found;
}

export interface ImageFolderDataset extends ImageFolderListing {
  readonly images: readonly FloatImage[];
  readonly labels: readonly number[];
}

/** Lists and decodes a whole image folder (fine for the small folders this project uses). */
export function loadImageFolder(root: string): ImageFolderDataset {
  const listing = listImageFolder(root);
  return {
    ...listing,
    images: listing.entries.map((entry) => readImageFile(entry.path)),
    labels: listing.entries.map((entry) => entry.label),
  };
}
