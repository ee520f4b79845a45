// `attune tune dept --task spam --out adapters/spam`: trains a prompt-tuning adapter
// (dept or prompt-tuning) on a pinned task, drawing a progress bar with the loss and ETA, checkpointing every
// N steps into --out; run again after a crash or kill -9 and it resumes from the last checkpoint.
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadRegistry } from '../load-registry.js';
import { parseIntegerOption } from '../options.js';
import { createProgressBar } from '../progress.js';

interface TuneFlags {
  task: string;
  out: string;
  model?: string;
  steps?: string;
  checkpointEvery: string;
  config?: string;
  seed?: string;
  json?: boolean;
}

export const TUNE_METHODS = ['dept', 'prompt-tuning'] as const;

/** --config as a JSON object, naming what is wrong otherwise. */
export function parseConfigFlag(text: string | undefined): Record<string, unknown> {
  if (text === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`--config must be a JSON object, e.g. '{"steps":100}': ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error(`--config must be a JSON object, e.g. '{"steps":100}'`);
  }
  return parsed as Record<string, unknown>;
}

export function registerTuneCommand(program: Command, io: CliIo): void {
  program
    .command('tune')
    .description(
      'train a prompt-tuning adapter (dept, prompt-tuning) on a task; resumes from --out after a kill',
    )
    .argument('<method>', `one of ${TUNE_METHODS.join(', ')}`)
    .requiredOption('--task <name>', 'a pinned task: spam, reuters, sentiment, compare, parity')
    .requiredOption(
      '--out <dir>',
      'where the adapter (adapter_config.json, adapter_model.safetensors) and checkpoints go',
    )
    .option(
      '--model <source>',
      "the causal LM (zoo id or folder with an inputs-embeds export); default the method config's, zoo:mini-lm-t",
    )
    .option('--steps <n>', 'training steps (default: the method config)')
    .option('--checkpoint-every <n>', 'steps between checkpoints', '50')
    .option('--seed <n>', 'seed of the initialisation and batch order')
    .option('--config <json>', 'the method\'s config as JSON, e.g. \'{"budgetTokens":40,"promptTokens":24}\'')
    .option('--json', 'print the training report as JSON')
    .action(async (method: string, flags: TuneFlags) => {
      if (!(TUNE_METHODS as readonly string[]).includes(method)) {
        throw new Error(`tune: unknown method "${method}"; expected one of ${TUNE_METHODS.join(', ')}`);
      }
      const { loadTask, trainableParameters, CHECKPOINT_FILE } = await import('@attune/method-dept');
      const task = loadTask(flags.task);
      const config = {
        ...parseConfigFlag(flags.config),
        ...(flags.model !== undefined ? { model: flags.model } : {}),
        ...(flags.steps !== undefined ? { steps: parseIntegerOption('--steps', flags.steps, 1) } : {}),
        ...(flags.seed !== undefined ? { seed: parseIntegerOption('--seed', flags.seed, 0) } : {}),
      };
      const every = parseIntegerOption('--checkpoint-every', flags.checkpointEvery, 1);
      const registry = await loadRegistry(io);
      const tuner = (await registry.create(method, config)) as import('@attune/method-dept').PromptTuner;
      try {
        let loss = Number.NaN;
        let bar: ReturnType<typeof createProgressBar> | undefined;
        let first: number | undefined;
        const report = await tuner.train(
          {
            name: task.name,
            train: task.splits.train,
            validation: task.splits.validation,
            labels: task.labels,
            maxLength: task.maxLength,
          },
          {
            checkpointDir: flags.out,
            checkpointEvery: every,
            onWarning: (message) => io.stderr(`attune: warning: ${message}\n`),
            onStart: ({ startStep, steps }) => {
              first = startStep;
              if (startStep > 0)
                io.stderr(
                  `resuming from the checkpoint at step ${startStep} (${flags.out}/${CHECKPOINT_FILE})\n`,
                );
              bar = createProgressBar({
                label: `tune ${method} ${task.name}`,
                total: steps - startStep,
                detail: () => `loss ${loss.toFixed(4)}`,
              });
            },
            onStep: (info) => {
              loss = info.loss;
              bar!.update(info.step - first!);
            },
          },
        );
        bar?.stop();
        await tuner.saveAdapter(flags.out);
        if (flags.json) {
          io.stdout(
            `${JSON.stringify({ ...report, losses: undefined, lastLoss: report.losses.at(-1) }, null, 2)}\n`,
          );
          return;
        }
        const { promptTokens: m, rank: r, maxLength: s, dim: d } = report.shape;
        // The resolved L (the config's default when --config names none): DePT's equal-budget check is printed too.
        const budget = tuner.settings.budgetTokens;
        io.stdout(
          [
            `${report.variant} on ${task.name}: m=${m} prompt tokens, r=${r}, s=${s}, d=${d}`,
            `trainable parameters: m·d + s·r + r·d = ${m * d} + ${s * r} + ${r * d} = ${trainableParameters(report.shape)} (= L·d with L = ${budget}: ${budget * d})`,
            `steps: ${report.steps}${report.resumedFrom > 0 ? ` (resumed from ${report.resumedFrom})` : ''}, last loss ${report.losses.at(-1)?.toFixed(4)}, median ${report.msPerStep.toFixed(0)} ms/step, ${report.tokensPerStep} tokens/step`,
            report.validationAccuracy !== undefined
              ? `validation accuracy: ${(100 * report.validationAccuracy).toFixed(1)} % (majority class ${(100 * task.info.validation.majority_accuracy).toFixed(1)} %)`
              : 'no validation split',
            `adapter: ${flags.out}/adapter_config.json, ${flags.out}/adapter_model.safetensors`,
          ].join('\n') + '\n',
        );
      } finally {
        await tuner.dispose();
      }
    });
}
