// `attune eval --adapter adapters/spam --task spam [--split test]`: scores an adapter on a pinned task's split,
// with the split's majority-class accuracy beside it.
import type { Command } from 'commander';
import type { CliIo } from '../io.js';
import { loadTunerWithAdapter } from './run-dept.js';
import { parseConfigFlag } from './tune.js';

interface EvalFlags {
  adapter: string;
  task: string;
  split: string;
  model?: string;
  predict?: string;
  json?: boolean;
}

const SPLITS = ['train', 'validation', 'test'] as const;

export function registerEvalCommand(program: Command, io: CliIo): void {
  program
    .command('eval')
    .description('score a prompt-tuning adapter on a task split (accuracy, majority class)')
    .requiredOption('--adapter <dir>', 'an adapter folder written by attune tune')
    .requiredOption('--task <name>', 'a pinned task: spam, reuters, sentiment, parity')
    .option('--split <name>', `one of ${SPLITS.join(', ')}`, 'test')
    .option('--model <source>', "the LM (default: the adapter's base_model_name_or_path)")
    .option('--predict <how>', "'greedy' (decode the label) or 'score' (best label word)")
    .option('--json', 'print the report as JSON')
    .action(async (flags: EvalFlags) => {
      if (!(SPLITS as readonly string[]).includes(flags.split)) {
        throw new Error(`--split must be one of ${SPLITS.join(', ')}, got "${flags.split}"`);
      }
      const { loadTask } = await import('@attune/method-dept');
      const task = loadTask(flags.task);
      const config = parseConfigFlag(
        flags.predict !== undefined ? JSON.stringify({ predict: flags.predict }) : undefined,
      );
      const tuner = await loadTunerWithAdapter(flags.adapter, flags.model, config);
      try {
        const trained = tuner.current!.config.attune.task;
        if (trained !== task.name) {
          io.stderr(
            `attune: warning: the adapter was trained on "${trained}", evaluating it on "${task.name}"\n`,
          );
        }
        const split = flags.split as (typeof SPLITS)[number];
        const report = await tuner.evaluate(task.splits[split]);
        const majority = task.info[split].majority_accuracy;
        if (report.truncated > 0) {
          io.stderr(
            `attune: warning: ${report.truncated} of ${report.examples} inputs are longer than the adapter's max_length s = ${tuner.current!.shape.maxLength} tokens and were truncated (BOS and the last s − 1 tokens kept)\n`,
          );
        }
        if (flags.json) {
          io.stdout(`${JSON.stringify({ task: task.name, split, majority, ...report }, null, 2)}\n`);
          return;
        }
        io.stdout(
          `${task.name} ${split}: accuracy ${(100 * report.accuracy).toFixed(1)} % (${report.correct}/${report.examples}); majority class ${(100 * majority).toFixed(1)} %; ${report.ms} ms\n`,
        );
      } finally {
        await tuner.dispose();
      }
    });
}
