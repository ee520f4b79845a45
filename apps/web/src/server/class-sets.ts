// The class sets an image can be classified over without typing them: the bundled datasets' names.
import { FASHION_MNIST_CLASS_NAMES, MNIST_CLASS_NAMES } from '@attune/data';

export const DATASET_CLASS_NAMES: Readonly<Record<string, readonly string[]>> = {
  mnist: MNIST_CLASS_NAMES,
  'fashion-mnist': FASHION_MNIST_CLASS_NAMES,
};
