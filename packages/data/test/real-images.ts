import { datasetImage, type FloatImage, loadFashionMnist, loadMnist } from '../src/index.js';

/** A fixed set of real test images: 8 from MNIST and 8 from Fashion-MNIST (test split, every 37th). */
export function realImages(): { mnist: FloatImage[]; fashion: FloatImage[] } {
  const pick = (load: typeof loadMnist) => {
    const dataset = load('test');
    return Array.from({ length: 8 }, (_, i) => datasetImage(dataset, i * 37));
  };
  return { mnist: pick(loadMnist), fashion: pick(loadFashionMnist) };
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}
