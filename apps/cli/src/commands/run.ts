import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { loadRegistry } from '../load-registry.js';
import type { CliIo } from '../main.js';
import { parseIntegerOption } from '../options.js';

interface RunFlags {
  model: string;
  image?: string;
  classes?: string;
  dataset?: string;
  config?: string;
  seed: string;
  json?: boolean;
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

export function registerRunCommand(program: Command, io: CliIo): void {
  program
    .command('run')
    .description('run a method on one input and show what adaptation did')
    .argument('<method>', 'an image-classification method plugin, e.g. tpt, sts, zeroshot')
    .requiredOption('--image <file>', 'PNG or JPEG image')
    .option('--model <source>', 'zoo id or CLIP export folder', 'zoo:mini-clip')
    .option('--classes <list>', 'comma-separated class names')
    .option(
      '--dataset <name>',
      'use the class names the model ships for this dataset (e.g. mnist, fashion_mnist)',
    )
    .option('--config <json>', "the method's config as JSON, e.g. '{\"steps\":4}'")
    .option('--seed <n>', 'seed for views and sampling', '0')
    .option('--json', 'print the full result as JSON')
    .action(async (methodName: string, flags: RunFlags) => {
      if (!existsSync(flags.image!)) throw new Error(`--image: no such file ${flags.image}`);
      let extra: Record<string, unknown> = {};
      if (flags.config) {
        try {
          extra = JSON.parse(flags.config) as Record<string, unknown>;
        } catch (error) {
          throw new Error(`--config must be a JSON object, e.g. '{"steps":4}': ${(error as Error).message}`);
        }
      }
      const seed = parseIntegerOption('--seed', flags.seed, 0);
      const registry = await loadRegistry(io);
      const plugin = registry.get(methodName);
      if (plugin.kind !== 'method')
        throw new Error(`"${methodName}" is a ${plugin.kind} plugin; run takes a method`);
      const { planarToInterleaved, readImageFile } = await import('@attune/data');
      const decoded = readImageFile(flags.image!);
      const method = (await registry.create(
        methodName,
        { model: flags.model, ...extra },
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
        const classNames = classList(flags, method.model.config.classNames);
        // @attune/data decodes to planar [C,H,W]; the models take interleaved [H,W,C].
        const image = {
          data: planarToInterleaved(decoded),
          width: decoded.width,
          height: decoded.height,
          channels: decoded.channels,
        };
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
          ].join('\n')}\n`,
        );
      } finally {
        await method.dispose();
      }
    });
}
