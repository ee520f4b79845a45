// `attune run <method> --images <dir>`: classifies every image of a user's folder (class folders or flat,
// see @attune/data scanImages) with one method instance, one JSON line per image with --json or a table,
// a progress bar on stderr, and accuracy with a 95% interval when the folder's labels are known.
import type { ImageCollection } from '@attune/data';
import type { CliIo } from '../io.js';
import { createProgressBar } from '../progress.js';
import { renderTable } from '../table.js';

/** What run needs of an image method instance (see @attune/contracts ImageClassifierMethod). */
export interface ImageMethod {
  readonly backend: string;
  classify(
    input: unknown,
    options: { seed: number },
  ): Promise<{
    prediction: string;
    index?: number;
    top5: { label: string; prob: number }[];
    adaptation: Record<string, unknown> & { ms: Record<string, number> };
  }>;
}

export interface RunImagesOptions {
  readonly methodName: string;
  readonly collection: ImageCollection;
  readonly classNames: readonly string[];
  /** Says where the class names came from, for the report. */
  readonly classSource: string;
  readonly seed: number;
  readonly json: boolean;
  /** Skip images that fail to decode (counted in the report) instead of stopping. */
  readonly skipUnreadable: boolean;
}

/** Wilson score interval for k successes in n trials (95%). */
export function wilsonInterval(k: number, n: number, z = 1.959964): [number, number] {
  if (n === 0) return [0, 1];
  const p = k / n;
  const denominator = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denominator;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denominator;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

export async function runImages(method: ImageMethod, options: RunImagesOptions, io: CliIo): Promise<void> {
  const { collection, classNames, seed } = options;
  // Decoding is here, image by image, so a folder of any size never sits in memory at once.
  const { readImageFile, toInterleavedImage } = await import('@attune/data');
  const bar = createProgressBar({
    label: `${options.methodName} ${collection.root}`,
    total: collection.images.length,
  });
  const rows: string[][] = [];
  const skipped = collection.skipped.map((s) => ({ path: s.relativePath, reason: s.reason }));
  let labelled = 0;
  let correct = 0;
  try {
    for (const entry of collection.images) {
      let decoded: ReturnType<typeof readImageFile>;
      try {
        decoded = readImageFile(entry.path);
      } catch (error) {
        if (!options.skipUnreadable) {
          throw new Error(`${(error as Error).message} (skip such files with --skip-unreadable)`);
        }
        skipped.push({ path: entry.relativePath, reason: (error as Error).message });
        bar.increment();
        continue;
      }
      const image = toInterleavedImage(decoded);
      const result = await method.classify({ image, classNames }, { seed });
      const label = entry.label === undefined ? undefined : classNames[entry.label];
      const isCorrect = label === undefined ? undefined : result.prediction === label;
      if (label !== undefined) {
        labelled++;
        if (isCorrect) correct++;
      }
      const prob = result.top5.find((t) => t.label === result.prediction)?.prob ?? result.top5[0]?.prob;
      if (options.json) {
        io.stdout(
          `${JSON.stringify({
            type: 'image',
            path: entry.relativePath,
            sha256: entry.sha256,
            prediction: result.prediction,
            ...(prob !== undefined ? { prob } : {}),
            ...(label !== undefined ? { label, correct: isCorrect } : {}),
            top5: result.top5,
            adaptation: result.adaptation,
          })}\n`,
        );
      } else {
        rows.push([
          entry.relativePath,
          result.prediction,
          prob === undefined ? '—' : `${(100 * prob).toFixed(1)}%`,
          label ?? '—',
          isCorrect === undefined ? '' : isCorrect ? 'yes' : 'no',
        ]);
      }
      bar.increment();
    }
  } finally {
    bar.stop();
  }
  const classified = collection.images.length - (skipped.length - collection.skipped.length);
  const [low, high] = wilsonInterval(correct, labelled);
  const accuracy = labelled > 0 ? correct / labelled : undefined;
  if (options.json) {
    io.stdout(
      `${JSON.stringify({
        type: 'summary',
        method: options.methodName,
        backend: method.backend,
        root: collection.root,
        layout: collection.layout,
        classified,
        skipped: skipped.length,
        skippedFiles: skipped,
        classes: classNames,
        classSource: options.classSource,
        ...(accuracy !== undefined ? { labelled, correct, accuracy, accuracyInterval95: [low, high] } : {}),
      })}\n`,
    );
    return;
  }
  const lines = [renderTable(['image', 'prediction', 'prob', 'label', 'correct'], rows, 80)];
  lines.push(
    `${classified} images classified by ${options.methodName} (${method.backend}) in ${collection.root}` +
      (skipped.length > 0
        ? `; ${skipped.length} unreadable skipped (${skipped.map((s) => s.path).join(', ')})`
        : ''),
  );
  if (accuracy !== undefined) {
    lines.push(
      `accuracy: ${correct}/${labelled} = ${(100 * accuracy).toFixed(1)}% (95% interval ${(100 * low).toFixed(1)}–${(100 * high).toFixed(1)}%)`,
    );
  } else {
    lines.push('accuracy: — (a flat folder has no labels; use root/<class>/<image> for accuracy)');
  }
  lines.push(`classes (${options.classSource}): ${classNames.join(', ')}`);
  io.stdout(`${lines.join('\n')}\n`);
}
