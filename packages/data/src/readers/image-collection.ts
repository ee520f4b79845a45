// A user's own image folder, as `attune run --images` and the image-folder bench suite read it: either
// torchvision's ImageFolder layout (root/<class>/<image>, labels from the sorted class folder names) or a
// flat folder of unlabelled images. Class names (the words the prompts use) come from the folder names,
// from --classes, or from a classes.txt in the folder; a mapping renames folders to prompt words
// ("0=zero"). Every file is read once here: its sha256 pins the sample list, and its header (or, with
// `decode`, the whole image) is checked so an unreadable file is named before any model runs.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { decodeImage, IMAGE_EXTENSIONS, maxImagePixels, type ReadImageOptions } from './image-file.js';
import { hasEndMarker, imageSize, sniffImageFormat } from './image-header.js';

/** The file a folder may hold to name its classes (one per line, or `folder=words` / `folder: words`). */
export const CLASSES_FILE = 'classes.txt';

export interface ListedImage {
  readonly path: string;
  /** Path relative to the root, '/'-separated: the sample's key. */
  readonly relativePath: string;
  readonly sha256: string;
  readonly bytes: number;
  /** Index into `classNames`; undefined in a flat (unlabelled) folder. */
  readonly label: number | undefined;
}

export interface UnreadableImage {
  readonly path: string;
  readonly relativePath: string;
  readonly reason: string;
}

export interface ImageCollection {
  readonly root: string;
  readonly layout: 'class-folders' | 'flat';
  /** Class sub-folder names, sorted (class-folders layout); empty for a flat folder. */
  readonly classFolders: readonly string[];
  /** The words each class is prompted with; for class folders, aligned with classFolders. */
  readonly classNames: readonly string[];
  /** Where classNames came from. */
  readonly classesSource: 'folder names' | '--classes' | typeof CLASSES_FILE | 'none';
  /** Readable images, sorted by relative path. */
  readonly images: readonly ListedImage[];
  /** Files with an image extension that could not be read (only when skipUnreadable is set). */
  readonly skipped: readonly UnreadableImage[];
}

/** A class list: names in order, or a mapping from folder name to prompt words. */
export type ClassSpec = readonly string[] | Readonly<Record<string, string>>;

export interface ScanImagesOptions extends ReadImageOptions {
  /** Class names (a list) or folder -> prompt words (a mapping); default: classes.txt, else folder names. */
  readonly classes?: ClassSpec;
  /** Skip unreadable files (listed in `skipped`) instead of failing on the first. Default false. */
  readonly skipUnreadable?: boolean;
  /** Decode every image to check it (catches corrupt data, not only bad headers). Default false. */
  readonly decode?: boolean;
}

/**
 * Parses `--classes`: "zero,one,two" (a list) or "0=zero,1=one" (folder -> prompt words). Every item or
 * none must have '='.
 */
export function parseClassSpec(text: string, what = '--classes'): ClassSpec {
  const items = text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
  return classSpecFromItems(items, what, /=/);
}

/** Parses a classes.txt: one class per line, or `folder=words` / `folder: words` lines; '#' comments. */
export function parseClassesFile(text: string, what: string): ClassSpec {
  const items = text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter((s) => s !== '' && !s.startsWith('#'));
  return classSpecFromItems(items, what, /[=:]/);
}

function classSpecFromItems(items: string[], what: string, separator: RegExp): ClassSpec {
  if (items.length === 0)
    throw new Error(`${what} names no classes; expected e.g. "cat,dog" or "0=zero,1=one"`);
  const mapped = items.filter((item) => separator.test(item));
  if (mapped.length === 0) {
    const dup = items.find((item, i) => items.indexOf(item) !== i);
    if (dup !== undefined) throw new Error(`${what} names class "${dup}" twice; expected distinct classes`);
    return items;
  }
  if (mapped.length !== items.length) {
    const plain = items.find((item) => !separator.test(item));
    throw new Error(
      `${what} mixes a plain class ("${plain}") with folder=words pairs; expected all of one kind`,
    );
  }
  const mapping: Record<string, string> = {};
  for (const item of items) {
    const at = item.search(separator);
    const folder = item.slice(0, at).trim();
    const words = item.slice(at + 1).trim();
    if (folder === '' || words === '') {
      throw new Error(`${what}: "${item}" must be folder=words with both sides non-empty`);
    }
    if (folder in mapping) throw new Error(`${what} maps folder "${folder}" twice`);
    mapping[folder] = words;
  }
  return mapping;
}

const isImageName = (name: string) =>
  (IMAGE_EXTENSIONS as readonly string[]).includes(extname(name).toLowerCase());

function walkImages(directory: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync(directory).sort()) {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) found.push(...walkImages(path));
    else if (isImageName(name)) found.push(path);
  }
  return found;
}

/** Why an image file cannot be used, or undefined when its header (or, with decode, its data) is sound. */
function checkImageBytes(bytes: Uint8Array, path: string, options: ScanImagesOptions): string | undefined {
  try {
    if (options.decode) {
      decodeImage(bytes, path, options);
      return undefined;
    }
    if (bytes.length === 0) return `${path} is empty (0 bytes); expected a PNG or JPEG image`;
    const format = sniffImageFormat(bytes);
    if (format instanceof Error) return `${path}: ${format.message}`;
    const size = imageSize(bytes, format);
    if (!size) return `${path}: its ${format.toUpperCase()} header is cut short; expected a complete image`;
    const pixels = size.width * size.height;
    if (pixels === 0 || pixels > maxImagePixels(options)) {
      decodeImage(bytes, path, options); // its error says what is wrong with the size
    }
    if (!hasEndMarker(bytes, format)) {
      return `${path} is a truncated ${format.toUpperCase()} (${bytes.length} bytes, the image data ends early)`;
    }
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

/** The class names for a class-folders layout, checked against the folders. */
function classNamesForFolders(
  folders: readonly string[],
  spec: ClassSpec,
  source: string,
  root: string,
): string[] {
  const keys = Array.isArray(spec) ? (spec as readonly string[]) : Object.keys(spec);
  const noClass = folders.filter((f) => !keys.includes(f));
  const noFolder = keys.filter((k) => !folders.includes(k));
  if (noClass.length > 0 || noFolder.length > 0) {
    const parts = [
      noClass.length > 0 ? `folders without a class: ${noClass.join(', ')}` : '',
      noFolder.length > 0 ? `classes without a folder: ${noFolder.join(', ')}` : '',
    ].filter((s) => s !== '');
    throw new Error(
      `${source} does not match the class folders of ${root} (${parts.join('; ')}); expected ` +
        `${Array.isArray(spec) ? 'the folder names' : 'one folder=words pair per folder'} ` +
        `(${folders.join(', ')}), e.g. ${folders
          .slice(0, 2)
          .map((f) => `${f}=<words>`)
          .join(',')}`,
    );
  }
  return Array.isArray(spec) ? [...folders] : folders.map((f) => (spec as Record<string, string>)[f]!);
}

/**
 * Lists an image folder (class folders or flat), hashes every image file and checks it can be read.
 * Unreadable files are fatal (the error names the file) unless `skipUnreadable`, which lists them instead.
 */
export function scanImages(rootPath: string, options: ScanImagesOptions = {}): ImageCollection {
  const root = resolve(rootPath);
  let names: string[];
  try {
    if (!statSync(root).isDirectory()) {
      throw new Error(`${root} is a file; expected a folder of images (root/<class>/<image> or flat)`);
    }
    names = readdirSync(root).sort();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      throw new Error(`image folder ${root} does not exist; expected a folder of images`);
    if (code) throw new Error(`image folder ${root}: cannot read it (${(error as Error).message})`);
    throw error;
  }
  const subfolders = names.filter((name) => statSync(join(root, name)).isDirectory());
  const topImages = names.filter((name) => isImageName(name) && statSync(join(root, name)).isFile());
  const classFolders = subfolders.filter((name) => walkImages(join(root, name)).length > 0);
  if (classFolders.length > 0 && topImages.length > 0) {
    throw new Error(
      `image folder ${root} has both images at its top level (${topImages.slice(0, 3).join(', ')}) and class ` +
        `sub-folders (${classFolders.slice(0, 3).join(', ')}); expected either root/<class>/<image> or a flat folder`,
    );
  }
  const layout = classFolders.length > 0 ? 'class-folders' : 'flat';
  const files =
    layout === 'flat'
      ? topImages.map((name) => ({ path: join(root, name), folder: undefined }))
      : classFolders.flatMap((folder) =>
          walkImages(join(root, folder)).map((path) => ({ path, folder: folder as string | undefined })),
        );
  if (files.length === 0) {
    throw new Error(
      `image folder ${root} holds no images (files ending ${IMAGE_EXTENSIONS.join(', ')}, at the top level ` +
        'or in class sub-folders); expected root/<class>/<image> or a flat folder of PNG/JPEG files',
    );
  }

  // Class names: --classes, else classes.txt, else the folder names.
  const classesPath = join(root, CLASSES_FILE);
  let spec: ClassSpec | undefined = options.classes;
  let classesSource: ImageCollection['classesSource'] = spec ? '--classes' : 'none';
  if (!spec && existsSync(classesPath)) {
    spec = parseClassesFile(readFileSync(classesPath, 'utf8'), classesPath);
    classesSource = CLASSES_FILE;
  }
  let classNames: string[];
  if (layout === 'class-folders') {
    if (spec) {
      const source = classesSource === '--classes' ? '--classes' : classesPath;
      classNames = classNamesForFolders(classFolders, spec, source, root);
    } else {
      classNames = [...classFolders];
      classesSource = 'folder names';
    }
  } else if (spec && !Array.isArray(spec)) {
    throw new Error(
      `${classesSource === '--classes' ? '--classes' : classesPath} maps folders to words, but ${root} is a ` +
        'flat folder (no class sub-folders); expected a plain list of class names, e.g. "cat,dog"',
    );
  } else {
    classNames = spec ? [...(spec as readonly string[])] : [];
  }

  const images: ListedImage[] = [];
  const skipped: UnreadableImage[] = [];
  for (const file of files) {
    const relativePath = relative(root, file.path).split(sep).join('/');
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file.path);
    } catch (error) {
      const reason = `${file.path}: cannot read it (${(error as Error).message})`;
      if (!options.skipUnreadable) throw new Error(`${reason}; pass the skip-unreadable option to skip it`);
      skipped.push({ path: file.path, relativePath, reason });
      continue;
    }
    const problem = checkImageBytes(bytes, file.path, options);
    if (problem !== undefined) {
      if (!options.skipUnreadable) {
        throw new Error(`${problem} (unreadable image; skip such files with --skip-unreadable)`);
      }
      skipped.push({ path: file.path, relativePath, reason: problem });
      continue;
    }
    images.push({
      path: file.path,
      relativePath,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.length,
      label: file.folder === undefined ? undefined : classFolders.indexOf(file.folder),
    });
  }
  if (images.length === 0) {
    throw new Error(
      `image folder ${root}: none of its ${files.length} image files could be read (first: ${skipped[0]?.reason}); expected PNG or JPEG images`,
    );
  }
  return { root, layout, classFolders, classNames, classesSource, images, skipped };
}
