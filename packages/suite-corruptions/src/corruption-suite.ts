import { CAPABILITY, defineSuite, type ImageClassifierMethod, type RawImage } from '@attune/contracts';
import {
  corruptionFamily,
  getSuite,
  loadSample,
  NO_CORRUPTION,
  readSampleList,
  type SampleEntry,
} from '@attune/data';
import { z } from '@attune/registry';

/** One key per list line: everything that decides the pixels and the label. */
export function sampleKey(entry: SampleEntry): string {
  return `${entry.dataset}/${entry.split}/${entry.index}/${entry.corruption}/${entry.severity}/${entry.seed}`;
}

/** The corruption family (noise, blur, weather, digital) a sample belongs to, or 'clean'. */
export function sampleFamily(entry: SampleEntry): string {
  return entry.corruption === NO_CORRUPTION ? 'clean' : corruptionFamily(entry.corruption);
}

/**
 * A bench suite over one of @attune/data's pinned lists: each sample is a (corrupted) MNIST or Fashion-MNIST
 * test image, classified among its own dataset's 10 class names by an image-classifier method.
 */
export function corruptionSuite(name: string) {
  const descriptor = getSuite(name);
  return defineSuite({
    name,
    version: '0.1.0',
    description: descriptor.description,
    config: z.object({
      list: z
        .string()
        .default(descriptor.listPath)
        .describe('pinned sample list (TSV) to read instead of the committed one'),
    }),
    needs: [CAPABILITY.visionLanguage],
    create: (config) => ({
      sampleList: config.list,
      entries: () => readSampleList(config.list),
      sampleKey,
      family: sampleFamily,
      evaluate: async (method: ImageClassifierMethod, entry: SampleEntry, seed: number) => {
        const sample = loadSample(entry);
        const image: RawImage = {
          data: sample.image.data,
          width: sample.image.width,
          height: sample.image.height,
          channels: 1,
        };
        const result = await method.classify({ image, classNames: sample.classNames }, { seed });
        const extra: Record<string, number | string> = {
          prediction_name: result.prediction,
          label_name: sample.className,
        };
        const { entropyBefore, entropyAfter, viewsKept, steps } = result.adaptation;
        if (entropyBefore !== undefined) extra.entropy_before = entropyBefore;
        if (entropyAfter !== undefined) extra.entropy_after = entropyAfter;
        if (viewsKept !== undefined) extra.views_kept = viewsKept;
        if (steps !== undefined) extra.steps = steps;
        return { prediction: result.index, label: sample.label, extra };
      },
    }),
  });
}
