// The bundled sample images: the first test images of MNIST and Fashion-MNIST (via @attune/data), so an
// image method can be tried without uploading anything. The dataset's class names come with each sample.
import { datasetImage, type FloatImage, loadDataset } from '@attune/data';

export interface Sample {
  /** e.g. "mnist-test-3". */
  readonly id: string;
  readonly dataset: string;
  readonly index: number;
  /** The true class. */
  readonly label: string;
  /** The dataset's class names, in label order. */
  readonly classNames: readonly string[];
}

const DATASETS = ['mnist', 'fashion-mnist'] as const;
const PER_DATASET = 8;
const SAMPLE_ID = /^(mnist|fashion-mnist)-test-(\d{1,5})$/;

export function listSamples(): Sample[] {
  return DATASETS.flatMap((dataset) => {
    const data = loadDataset(dataset, 'test');
    return Array.from({ length: PER_DATASET }, (_, index) => describe(dataset, index, data));
  });
}

function describe(dataset: string, index: number, data: ReturnType<typeof loadDataset>): Sample {
  return {
    id: `${dataset}-test-${index}`,
    dataset,
    index,
    label: data.classNames[data.labels[index]!]!,
    classNames: data.classNames,
  };
}

/** A sample by id (any test image of the two datasets, not only the listed ones); undefined when unknown. */
export function loadSampleImage(id: string): { sample: Sample; image: FloatImage } | undefined {
  const match = SAMPLE_ID.exec(id);
  if (!match) return undefined;
  const dataset = match[1]!;
  const index = Number(match[2]);
  const data = loadDataset(dataset, 'test');
  if (index >= data.labels.length) return undefined;
  return { sample: describe(dataset, index, data), image: datasetImage(data, index) };
}
