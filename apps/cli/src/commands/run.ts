import { existsSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry } from '../load-registry.js';
import { parseIntegerOption } from '../options.js';
import { runC3po } from './run-c3po.js';
import { runDept } from './run-dept.js';
import { type ImageMethod, runImages } from './run-images.js';
import { isTextMethod, runTextMethod } from './run-text.js';

interface RunFlags {
  model?: string;
  image?: string;
  images?: string;
  skipUnreadable?: boolean;
  prompt?: string;
  reward?: string;
  steps?: string;
  n?: string;
  classes?: string;
  dataset?: string;
  config?: string;
  seed: string;
  json?: boolean;
  adapter?: string;
  text?: string;
}

/** The class list: --classes, else one dataset's names shipped in the model's config (e.g. mnist). */
function classList(
  flags: RunFlags,
  shipped: Readonly<Record<string, readonly string[]>> | undefined,
): string[] {
  if (flags.classes) return flags.classes.split(',').map((c) => c.trim());
  const datasets = Object.keys(shipped ?? {});
  if (datasets.length === 0) throw new Error('--classes is required: the model ships no class names');
  const dataset = flags.dataset ?? datasets[0]!;
  const names = shipped?.[dataset];
  if (!names)
    throw new Error(
      `--dataset must be one of ${datasets.join(', ')} (or pass --classes a,b,c), got "${dataset}"`,
    );
  return [...names];
}

const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

/** One --image file: repeated flags and folders are errors that say what to use instead. */
function singleImage(images: readonly string[] | undefined): string | undefined {
  if (images === undefined || images.length === 0) return undefined;
  if (images.length > 1) {
    throw new Error(
      `--image was given ${images.length} times (${images.join(', ')}); run classifies one --image, ` +
        'or every image of a folder with --images <dir>',
    );
  }
  const file = images[0]!;
  if (!existsSync(file)) throw new Error(`--image: no such file ${file}`);
  if (statSync(file).isDirectory()) {
    throw new Error(`--image ${file} is a folder; use --images ${file} to classify every image in it`);
  }
  return file;
}

export function registerRunCommand(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('run a method on one input: an image method on --image, a text method on --prompt')
    .argument('<method>', 'a method plugin: image (tpt, sts, zeroshot, ...) or text (qalign, best-of-n, ...)')
    .option('--image <file>', 'PNG or JPEG image (image methods)', collect)
    .option(
      '--images <dir>',
      'image methods: every image of a folder (root/<class>/<image> gives accuracy; or a flat folder)',
    )
    .option(
      '--skip-unreadable',
      '--images: skip files that are not readable images (counted) instead of failing',
    )
    .option(
      '--prompt <text>',
      "the question (text methods; the method's template turns it into the LM prompt)",
    )
    .option(
      '--model <source>',
      'zoo id or export folder (image methods: default zoo:mini-clip; text: the LM)',
    )
    .option('--reward <source>', 'text methods: the reward model, e.g. zoo:mini-rm')
    .option('--steps <n>', 'qalign: MCMC steps')
    .option('--n <n>', 'best-of-n / majority votes: samples')
    .option(
      '--classes <list>',
      'comma-separated class names, or folder=words pairs mapping --images class folders to prompt words',
    )
    .option(
      '--dataset <name>',
      'use the class names the model ships for this dataset (e.g. mnist, fashion-mnist)',
    )
    .option('--config <json>', "the method's config as JSON, e.g. '{\"steps\":4}'")
    .option('--seed <n>', 'seed for views and sampling', '0')
    .option('--json', 'print the full result as JSON')
    .option('--adapter <dir>', 'dept / prompt-tuning: the adapter folder (attune tune --out)')
    .option('--text <text>', 'dept / prompt-tuning: the input text to classify')
    .action(async (methodName: string, rawFlags: Omit<RunFlags, 'image'> & { image?: string[] }) => {
      const flags: RunFlags = { ...rawFlags, image: singleImage(rawFlags.image) };
      if (flags.image !== undefined && flags.images !== undefined) {
        throw new Error('--image and --images exclude each other: pass one image or one folder');
      }
      if (flags.skipUnreadable && flags.images === undefined) {
        throw new Error('--skip-unreadable applies to --images <dir> only');
      }
      let extra: Record<string, unknown> = {};
      if (flags.config) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(flags.config);
        } catch (error) {
          throw new Error(`--config must be a JSON object, e.g. '{"steps":4}': ${(error as Error).message}`);
        }
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
          const got = parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : `a ${typeof parsed}`;
          throw new Error(`--config must be a JSON object, e.g. '{"steps":4}', got ${got}`);
        }
        extra = parsed as Record<string, unknown>;
      }
      const seed = parseIntegerOption('--seed', flags.seed, 0);
      if (methodName === 'dept' || methodName === 'prompt-tuning') {
        // Prompt-tuning adapters; their command lives in run-dept.ts.
        if (flags.adapter === undefined)
          throw new Error(`--adapter is required: ${methodName} predicts with a trained adapter`);
        if (flags.text === undefined)
          throw new Error(`--text is required: the input ${methodName} classifies`);
        await runDept(
          {
            adapter: flags.adapter,
            text: flags.text,
            ...(flags.model ? { model: flags.model } : {}),
            config: extra,
            ...(flags.json ? { json: true } : {}),
          },
          io,
        );
        return;
      }
      if (methodName === 'c3po') {
        // C3PO re-mixes an MoE LM's routing; its command lives in run-c3po.ts.
        if (flags.prompt === undefined) throw new Error('--prompt is required: c3po answers a question');
        await runC3po(
          {
            prompt: flags.prompt,
            ...(flags.model ? { model: flags.model } : {}),
            config: extra,
            ...(flags.json ? { json: true } : {}),
          },
          io,
        );
        return;
      }
      const registry = await loadRegistry(io);
      const plugin = registry.get(methodName);
      if (plugin.kind !== 'method')
        throw new Error(`"${methodName}" is a ${plugin.kind} plugin; run takes a method`);
      if (isTextMethod(plugin)) {
        if (flags.prompt === undefined) {
          throw new Error(`--prompt is required: ${methodName} answers a text prompt`);
        }
        for (const [flag, value] of [
          ['--image', flags.image],
          ['--images', flags.images],
          ['--classes', flags.classes],
          ['--dataset', flags.dataset],
        ] as const) {
          if (value !== undefined) throw new Error(`${flag} does not apply to ${methodName}, a text method`);
        }
        await runTextMethod(
          registry,
          plugin,
          {
            prompt: flags.prompt,
            ...(flags.model !== undefined ? { model: flags.model } : {}),
            ...(flags.reward !== undefined ? { reward: flags.reward } : {}),
            ...(flags.steps !== undefined ? { steps: parseIntegerOption('--steps', flags.steps, 1) } : {}),
            ...(flags.n !== undefined ? { n: parseIntegerOption('--n', flags.n, 1) } : {}),
            config: extra,
            seed,
            ...(flags.json ? { json: true } : {}),
          },
          io,
        );
        return;
      }
      if (flags.image === undefined && flags.images === undefined) {
        throw new Error(`--image <file> or --images <dir> is required: ${methodName} classifies images`);
      }
      for (const [flag, value] of [
        ['--prompt', flags.prompt],
        ['--reward', flags.reward],
        ['--steps', flags.steps],
        ['--n', flags.n],
      ] as const) {
        if (value !== undefined) throw new Error(`${flag} does not apply to ${methodName}, an image method`);
      }
      const { parseClassSpec, readImageFile, scanImages, toInterleavedImage } = await import('@attune/data');
      // A folder is listed (and every file checked) before the model loads, so its errors come first.
      const collection =
        flags.images === undefined
          ? undefined
          : scanImages(flags.images, {
              ...(flags.classes !== undefined ? { classes: parseClassSpec(flags.classes) } : {}),
              skipUnreadable: flags.skipUnreadable ?? false,
            });
      const decoded = flags.image === undefined ? undefined : readImageFile(flags.image);
      const method = (await registry.create(
        methodName,
        { model: flags.model ?? 'zoo:mini-clip', ...extra },
        { seed },
      )) as unknown as {
        model: { config: { classNames?: Readonly<Record<string, readonly string[]>> } };
        backend: string;
        classify(
          input: unknown,
          options: { seed: number },
        ): Promise<{
          prediction: string;
          top5: { label: string; prob: number }[];
          adaptation: Record<string, unknown> & { ms: Record<string, number> };
        }>;
        dispose(): unknown;
      };
      if (typeof method.classify !== 'function') {
        await method.dispose();
        throw new Error(`method "${methodName}" does not classify images (no classify())`);
      }
      try {
        if (collection) {
          // Class names: the folder's (folder names, classes.txt or --classes), else the model's shipped ones.
          const fromFolder = collection.classNames.length > 0;
          const shippedNames = Object.keys(method.model.config.classNames ?? {});
          const classNames = fromFolder
            ? [...collection.classNames]
            : classList({ ...flags, classes: undefined }, method.model.config.classNames);
          const classSource = fromFolder
            ? collection.classesSource
            : `dataset ${flags.dataset ?? shippedNames[0]} shipped with the model`;
          await runImages(
            method as unknown as ImageMethod,
            {
              methodName,
              collection,
              classNames,
              classSource,
              seed,
              json: flags.json ?? false,
              skipUnreadable: flags.skipUnreadable ?? false,
            },
            io,
          );
          return;
        }
        if (!decoded) throw new Error('internal: no image decoded');
        const classNames = classList(flags, method.model.config.classNames);
        // Say which class set was used: --classes, --dataset, or the model's first shipped dataset.
        const shipped = Object.keys(method.model.config.classNames ?? {});
        const classSource = flags.classes
          ? '--classes'
          : `dataset ${flags.dataset ?? shipped[0]}${flags.dataset ? '' : " (the model's first; pick another with --dataset)"}`;
        // @attune/data decodes to planar [C,H,W]; the models take interleaved [H,W,C].
        const image = toInterleavedImage(decoded);
        const result = await method.classify({ image, classNames }, { seed });
        if (flags.json) {
          io.stdout(
            `${JSON.stringify({ method: methodName, backend: method.backend, ...result }, null, 2)}\n`,
          );
          return;
        }
        const a = result.adaptation;
        const fmt = (v: unknown) => (typeof v === 'number' ? v.toFixed(4) : '—');
        const totalMs = Object.values(a.ms).reduce((s, v) => s + v, 0);
        io.stdout(
          `${[
            `prediction: ${result.prediction}`,
            'top-5:',
            ...result.top5.map((t) => `  ${t.label.padEnd(16)} ${(100 * t.prob).toFixed(2)}%`),
            `adaptation (${methodName}, ${method.backend}):`,
            `  entropy before ${fmt(a.entropyBefore)}, after ${fmt(a.entropyAfter)}`,
            `  views kept ${a.viewsKept ?? '—'}, steps ${a.steps ?? 0}`,
            `  time ${totalMs.toFixed(0)} ms (${Object.entries(a.ms)
              .map(([k, v]) => `${k} ${v.toFixed(0)}`)
              .join(', ')})`,
            `classes (${classSource}): ${classNames.join(', ')}`,
          ].join('\n')}\n`,
        );
      } finally {
        await method.dispose();
      }
    });
}
