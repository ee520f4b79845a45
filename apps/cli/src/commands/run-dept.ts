// `attune run dept --adapter adapters/spam --text "..."`: the adapter's prediction for one input. The model
// and the variant come from the adapter's adapter_config.json (base_model_name_or_path, peft_type) unless
// --model overrides the model; the prompt template of the task is applied when the text lacks it.
import type { CliIo } from '../io.js';

export interface DeptRunFlags {
  readonly adapter: string;
  readonly text: string;
  readonly model?: string;
  readonly config: Record<string, unknown>;
  readonly json?: boolean;
}

/** A tuner with the adapter loaded, as run and eval use it. */
export async function loadTunerWithAdapter(
  adapterDir: string,
  model: string | undefined,
  config: Record<string, unknown>,
) {
  const { readFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const dept = await import('@attune/method-dept');
  let adapterConfig: import('@attune/method-dept').AdapterConfig;
  try {
    adapterConfig = JSON.parse(await readFile(join(adapterDir, dept.ADAPTER_CONFIG), 'utf8'));
  } catch (error) {
    throw new Error(
      `--adapter ${adapterDir}: cannot read ${dept.ADAPTER_CONFIG}: ${(error as Error).message}`,
    );
  }
  const variant = adapterConfig.peft_type === 'PROMPT_TUNING_LORA' ? 'dept' : 'prompt-tuning';
  const settings = dept.deptConfig.parse({
    predict: adapterConfig.attune?.predict ?? 'greedy',
    ...config,
    model: model ?? adapterConfig.base_model_name_or_path,
  });
  const tuner = await dept.PromptTuner.create({ ...settings, variant });
  try {
    await tuner.loadAdapter(adapterDir);
  } catch (error) {
    await tuner.dispose();
    throw error;
  }
  return tuner;
}

export async function runDept(flags: DeptRunFlags, io: CliIo): Promise<void> {
  const tuner = await loadTunerWithAdapter(flags.adapter, flags.model, flags.config);
  try {
    const text = /\nAnswer:\s*$/.test(flags.text) ? flags.text : `Question: ${flags.text}\nAnswer:`;
    const out = await tuner.predict(text);
    const labels = tuner.current!.config.attune.labels;
    if (out.truncated) {
      io.stderr(
        `attune: warning: the input is ${out.truncated} tokens longer than the adapter's max_length s = ${tuner.current!.shape.maxLength}; BOS and its last ${tuner.current!.shape.maxLength - 1} tokens were used\n`,
      );
    }
    if (flags.json) {
      io.stdout(`${JSON.stringify({ ...out, labels, task: tuner.current!.config.attune.task }, null, 2)}\n`);
      return;
    }
    const inSet = labels.includes(out.prediction);
    io.stdout(
      `${out.prediction}${inSet ? '' : `  (not one of the label words ${labels.join(', ')})`}\n` +
        (out.labelScores
          ? `${Object.entries(out.labelScores)
              .map(([l, v]) => `  ${l}: log p ${v.toFixed(3)}`)
              .join('\n')}\n`
          : ''),
    );
  } finally {
    await tuner.dispose();
  }
}
