// Records mini-CLIP's zero-shot top-1 under every corruption and severity in its card
// (card.metrics.corruptions), using @attune/data's corruption suite: the first N test images of MNIST and
// Fashion-MNIST, single template "a photo of a {}.", classified among the dataset's own 10 classes.
// Usage: pnpm --filter @attune/suite-corruptions zoo-metrics [N=100]
import { CORRUPTION_NAMES, corrupt, datasetImage, loadDataset } from '@attune/data';
import { loadVisionLanguageModel } from '@attune/models';
import { tf } from '@attune/tensor';
import { type CorruptionMetric, resolveModel, writeCorruptionMetrics } from '@attune/zoo';

const images = Number(process.argv[2] ?? 100);
const model = await loadVisionLanguageModel('zoo:mini-clip');
const { dir } = await resolveModel('zoo:mini-clip');
const results: CorruptionMetric[] = [];
for (const [dataset, key] of [
  ['mnist', 'mnist'],
  ['fashion-mnist', 'fashion_mnist'],
] as const) {
  const data = loadDataset(dataset, 'test');
  const prototypes = await model.classPrototypes(data.classNames, ['a photo of a {}.']);
  for (const corruption of CORRUPTION_NAMES) {
    for (let severity = 1; severity <= 5; severity++) {
      const pixels = tf.tidy(() =>
        tf.stack(
          Array.from({ length: images }, (_, i) => {
            const image = corrupt(datasetImage(data, i), corruption, severity, { seed: i });
            return model.preprocess({
              data: image.data,
              width: image.width,
              height: image.height,
              channels: 1,
            });
          }),
        ),
      ) as tf.Tensor4D;
      const features = await model.encodeImages(pixels);
      const predicted = tf.tidy(() => tf.argMax(model.logits(features, prototypes), 1).dataSync());
      tf.dispose([pixels, features]);
      let correct = 0;
      for (let i = 0; i < images; i++) if (predicted[i] === data.labels[i]) correct++;
      results.push({
        corruption,
        severity,
        dataset: key,
        prompt: 'single_template',
        top1: correct / images,
        images,
      });
      console.log(`${key} ${corruption} s${severity}: ${((100 * correct) / images).toFixed(1)}%`);
    }
  }
}
await writeCorruptionMetrics(dir, {
  source: '@attune/suite-corruptions scripts/zoo-corruption-metrics.ts',
  date: new Date().toISOString().slice(0, 10),
  results,
});
await model.dispose();
console.log(`wrote ${results.length} results to ${dir}/card.json`);
