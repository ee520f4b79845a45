// The image-folder benchmark suite: a user's own labelled image folder (root/<class>/<image>, class names
// from the folder names, classes.txt or `classes`) as a bench suite. Its pinned list is written when the
// suite is created: every readable image's path and sha256 in a seeded order, so a run, its resume and its
// workers all see the same samples, and a changed file is caught (its sha256 no longer matches).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { CAPABILITY, defineSuite, type ImageClassifierMethod, type RawImage } from '@attune/contracts';
import {
  type ClassSpec,
  decodeImage,
  type ImageCollection,
  parseClassSpec,
  scanImages,
  toInterleavedImage,
} from '@attune/data';
import { z } from '@attune/registry';

export const IMAGE_FOLDER_SUITE_NAME = 'image-folder';

/** One line of the pinned list: everything that decides the pixels and the label. */
export interface ImageFolderEntry {
  /** The image's path relative to the root ('/'-separated): the sample key. */
  readonly key: string;
  readonly path: string;
  readonly sha256: string;
  readonly label: number;
  /** The class folder, which is also the sample's report group. */
  readonly folder: string;
  readonly className: string;
}

const classesSchema = z
  .union([z.string(), z.array(z.string()), z.record(z.string(), z.string())])
  .optional()
  .describe('class names: "a,b", ["a","b"] (the folder names) or {"0":"zero"} (folder -> prompt words)');

export const imageFolderConfig = z
  .object({
    // The registry wants a default for every field; an empty root is refused in pinImageFolder.
    root: z.string().default('').describe('the image folder: root/<class>/<image> (PNG or JPEG)'),
    classes: classesSchema,
    limit: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('only this many images, the first of the seeded order (all by default)'),
    seed: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('seed of the sample order (a shuffle of the sorted files)'),
    skipUnreadable: z
      .boolean()
      .default(false)
      .describe('skip files that are not readable images (listed in the pinned list) instead of failing'),
    list: z
      .string()
      .optional()
      .describe(
        'where to write the pinned list (default: $ATTUNE_CACHE_DIR/image-folder/<folder>-<sha>.tsv)',
      ),
  })
  .strict();

export type ImageFolderConfig = z.output<typeof imageFolderConfig>;

function classSpec(classes: ImageFolderConfig['classes']): ClassSpec | undefined {
  if (classes === undefined) return undefined;
  return typeof classes === 'string' ? parseClassSpec(classes, 'suite config classes') : classes;
}

/** Fisher–Yates with a small seeded generator (mulberry32): the order depends on the seed alone. */
function seededOrder<T>(items: readonly T[], seed: number): T[] {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const LIST_COLUMNS = ['key', 'sha256', 'label', 'class', 'folder'] as const;

/** The pinned list as TSV: a header comment (root, order, skipped files), then one line per sample. */
export function formatImageFolderList(
  collection: ImageCollection,
  entries: readonly ImageFolderEntry[],
  config: ImageFolderConfig,
): string {
  const lines = [
    `# image-folder root=${collection.root} seed=${config.seed} limit=${config.limit ?? 'all'} classes from ${collection.classesSource}`,
    `# classes: ${collection.classFolders.map((f, i) => `${f}=${collection.classNames[i]}`).join(', ')}`,
    `# skipped: ${collection.skipped.length} unreadable`,
    ...collection.skipped.map((s) => `# skipped ${s.relativePath}: ${s.reason.replace(/\s+/g, ' ')}`),
    LIST_COLUMNS.join('\t'),
    ...entries.map((e) => [e.key, e.sha256, e.label, e.className, e.folder].join('\t')),
  ];
  return `${lines.join('\n')}\n`;
}

function defaultListPath(root: string, content: string): string {
  const cache = process.env.ATTUNE_CACHE_DIR ?? join(homedir(), '.cache', 'attune');
  const sha = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const name = basename(root).replace(/[^A-Za-z0-9._-]+/g, '-') || 'images';
  return join(cache, 'image-folder', `${name}-${sha}.tsv`);
}

/** Lists the folder, orders and limits it, and writes the pinned list; returns it with its path. */
export function pinImageFolder(config: ImageFolderConfig): {
  collection: ImageCollection;
  entries: ImageFolderEntry[];
  listPath: string;
} {
  if (config.root === '') {
    throw new Error(
      'the image-folder suite needs root, the image folder: --suite-config \'{"root":"./digits"}\', or name the suite images:./digits',
    );
  }
  const spec = classSpec(config.classes);
  // Every image is decoded once here: a corrupt file fails (or is skipped) now, not in the middle of a run.
  const collection = scanImages(config.root, {
    ...(spec ? { classes: spec } : {}),
    skipUnreadable: config.skipUnreadable,
    decode: true,
  });
  if (collection.layout === 'flat') {
    throw new Error(
      `image folder ${collection.root} is flat (no class sub-folders), so its images have no labels; a bench ` +
        'suite needs root/<class>/<image> (for unlabelled images use `attune run <method> --images <dir>`)',
    );
  }
  const all = collection.images.map((image) => {
    const label = image.label!;
    return {
      key: image.relativePath,
      path: image.path,
      sha256: image.sha256,
      label,
      folder: collection.classFolders[label]!,
      className: collection.classNames[label]!,
    };
  });
  const ordered = seededOrder(all, config.seed);
  const entries = config.limit === undefined ? ordered : ordered.slice(0, config.limit);
  const content = formatImageFolderList(collection, entries, config);
  const listPath =
    config.list === undefined ? defaultListPath(collection.root, content) : resolve(config.list);
  mkdirSync(dirname(listPath), { recursive: true });
  writeFileSync(listPath, content);
  return { collection, entries, listPath };
}

/** Reads and decodes one sample, refusing a file whose bytes are no longer the pinned ones. */
export function loadPinnedImage(entry: ImageFolderEntry): RawImage {
  const bytes = readFileSync(entry.path);
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  if (sha256 !== entry.sha256) {
    throw new Error(
      `${entry.path} changed since its sample list was pinned (sha256 ${sha256.slice(0, 12)}…, pinned ` +
        `${entry.sha256.slice(0, 12)}…); expected the same file, or start a new run`,
    );
  }
  const decoded = decodeImage(bytes, entry.path);
  return toInterleavedImage(decoded);
}

/** The image-folder suite: classify each image among the folder's classes. */
export const imageFolderSuite = defineSuite({
  name: IMAGE_FOLDER_SUITE_NAME,
  version: '0.1.0',
  description:
    'your own labelled images (root/<class>/<image>): a seeded, pinned order of every file (path + sha256); `attune bench images:<dir>` for short',
  config: imageFolderConfig,
  needs: [CAPABILITY.visionLanguage],
  create: (config) => {
    const { collection, entries, listPath } = pinImageFolder(config);
    const classNames = [...collection.classNames];
    return {
      sampleList: listPath,
      entries: () => entries,
      sampleKey: (entry: ImageFolderEntry) => entry.key,
      family: (entry: ImageFolderEntry) => entry.folder,
      evaluate: async (method: ImageClassifierMethod, entry: ImageFolderEntry, seed: number) => {
        const image = loadPinnedImage(entry);
        const result = await method.classify({ image, classNames }, { seed });
        const extra: Record<string, number | string> = {
          prediction_name: result.prediction,
          label_name: entry.className,
          sha256: entry.sha256,
        };
        const { entropyBefore, entropyAfter, viewsKept, steps } = result.adaptation;
        if (entropyBefore !== undefined) extra.entropy_before = entropyBefore;
        if (entropyAfter !== undefined) extra.entropy_after = entropyAfter;
        if (viewsKept !== undefined) extra.views_kept = viewsKept;
        if (steps !== undefined) extra.steps = steps;
        return { prediction: result.index, label: entry.label, extra };
      },
    };
  },
});
