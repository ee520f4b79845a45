import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { parseIntegerOption, parseListOption } from '../options.js';

export function registerDataCommand(program: Command, io: CliIo): void {
  const data = program.command('data').description('inspect datasets and corruption suites');
  data
    .command('images')
    .description(
      'write test images of a dataset as an image folder (root/<label>/<image>.png + classes.txt), to try --images and images:<dir>',
    )
    .argument('<dataset>', 'mnist or fashion_mnist')
    .requiredOption('--out <dir>', 'folder to write (created)')
    .option('--count <n>', 'how many test images (the first n)', '200')
    .option('--start <n>', 'index of the first test image', '0')
    .option('--flat', 'one flat folder without labels (classes.txt lists every class)')
    .action(async (dataset: string, options: Record<string, string | boolean>) => {
      const dataPkg = await import('@attune/data');
      if (!dataPkg.isDatasetName(dataset)) {
        throw new Error(`unknown dataset "${dataset}"; expected one of ${dataPkg.DATASET_NAMES.join(', ')}`);
      }
      const out = resolve(options.out as string);
      const written = dataPkg.writeImageFolder(dataPkg.loadDataset(dataset, 'test'), out, {
        count: parseIntegerOption('--count', options.count as string, 1),
        start: parseIntegerOption('--start', options.start as string, 0),
        flat: options.flat === true,
      });
      io.stdout(`wrote ${written.length - 1} ${dataset} test images and classes.txt to ${out}\n`);
    });
  data
    .command('preview')
    .description('render a PNG grid: one row per corruption, columns = clean + severities')
    .argument('<suite>', 'an embedded suite, e.g. mini-clip-corrupt-short')
    .requiredOption('--out <file>', 'PNG file to write')
    .option('--images <n>', 'distinct suite images to cycle through the rows', '4')
    .option(
      '--corruptions <list>',
      "comma-separated corruption or rendition names (default: the suite's kind, all 15 corruptions or all 8 renditions)",
    )
    .option('--severities <list>', 'comma-separated severities 1..5', '1,2,3,4,5')
    .option('--scale <n>', 'integer upscaling of each 28 px tile', '4')
    .option('--seed <n>', 'seed for the random corruptions', '0')
    .action(async (suiteName: string, options: Record<string, string>) => {
      // Checked before any work: a directory, a path under /proc or an unwritable place is refused.
      const { checkOutputPath } = await import('@attune/bench');
      const out = checkOutputPath('--out', options.out!, 'file', 'preview.png');
      // Imported here so `attune list` does not pay for loading tfjs and the datasets.
      const dataPkg = await import('@attune/data');
      const entries = dataPkg.loadSuite(suiteName);
      const count = parseIntegerOption('--images', options.images!, 1);
      const seen = new Set<string>();
      const images = [];
      for (const entry of entries) {
        const key = `${entry.dataset}:${entry.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const loaded = dataPkg.loadSample({ ...entry, corruption: dataPkg.NO_CORRUPTION, severity: 0 });
        images.push(loaded.image);
        if (images.length === count) break;
      }
      // A shift suite's rows are its renditions; a corruption suite's, the 15 corruptions.
      const shiftSuite = entries.some((entry) => dataPkg.isRenditionName(entry.corruption));
      const known = [...dataPkg.CORRUPTION_NAMES, ...dataPkg.RENDITION_NAMES];
      const corruptions = options.corruptions
        ? parseListOption('--corruptions', options.corruptions, known)
        : shiftSuite
          ? [...dataPkg.RENDITION_NAMES]
          : [...dataPkg.CORRUPTION_NAMES];
      const severities = parseListOption('--severities', options.severities!, ['1', '2', '3', '4', '5']).map(
        Number,
      );
      const png = dataPkg.renderPreviewGrid(images, corruptions, severities, {
        scale: parseIntegerOption('--scale', options.scale!, 1),
        seed: parseIntegerOption('--seed', options.seed!, 0),
      });
      writeFileSync(out, png);
      io.stdout(
        `wrote ${out}: ${corruptions.length} corruptions × (clean + severities ${severities.join(',')}), ` +
          `${images.length} images from ${suiteName}\n`,
      );
    });
}
