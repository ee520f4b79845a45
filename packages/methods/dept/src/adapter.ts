// Adapters as PEFT saves them: adapter_config.json (PEFT's prompt-tuning field names, plus DePT's own r,
// lora_alpha, max_length — as DePT's PromptTuningLoRAConfig adds them) and adapter_model.safetensors with
// prompt_embeddings [m, d] (PEFT's key) and, for DePT, lora_embedding_A [s, r], lora_embedding_B [r, d].
// Loading checks the adapter against the model it is loaded into (dimension, shapes, base model) and says which
// adapter was made for what.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeptParams, DeptShape } from './dept.js';
import { trainableParameters } from './dept.js';
import { readSafetensors, writeSafetensors } from './safetensors.js';
import { PARAM_NAMES } from './train-step.js';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

/** adapter_config.json. */
export interface AdapterConfig {
  /** PEFT: "PROMPT_TUNING"; DePT's fork registers "PROMPT_TUNING_LORA". */
  readonly peft_type: 'PROMPT_TUNING' | 'PROMPT_TUNING_LORA';
  readonly task_type: 'CAUSAL_LM';
  readonly num_virtual_tokens: number;
  readonly token_dim: number;
  readonly num_transformer_submodules: 1;
  readonly num_attention_heads: number;
  readonly num_layers: number;
  readonly prompt_tuning_init: 'TEXT';
  readonly prompt_tuning_init_text: string;
  readonly tokenizer_name_or_path: string;
  readonly base_model_name_or_path: string;
  readonly inference_mode: boolean;
  readonly revision: null;
  /** DePT: rank of A·B (0 for vanilla prompt tuning). */
  readonly r: number;
  /** DePT: α of α/√r. */
  readonly lora_alpha: number;
  /** DePT: s, the padded input length. */
  readonly max_length: number;
  /** What attune adds: the task, its label words, and how it was trained. */
  readonly attune: {
    readonly variant: 'dept' | 'prompt-tuning';
    readonly task: string;
    readonly labels: readonly string[];
    readonly overflow: 'truncate' | 'error';
    readonly predict: 'greedy' | 'score';
    readonly trainable_parameters: number;
    readonly budget_tokens: number;
    readonly steps: number;
    readonly seed: number;
  };
}

export interface Adapter {
  readonly config: AdapterConfig;
  readonly shape: DeptShape;
  readonly params: DeptParams;
}

/** Writes both files (each through a temporary name and a rename, so a crash leaves no half-written file). */
export async function saveAdapter(directory: string, adapter: Adapter): Promise<void> {
  await mkdir(directory, { recursive: true });
  const { shape, params, config } = adapter;
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {
    [PARAM_NAMES.prompt]: { shape: [shape.promptTokens, shape.dim], data: params.prompt },
  };
  if (shape.rank > 0) {
    tensors[PARAM_NAMES.loraA] = { shape: [shape.maxLength, shape.rank], data: params.loraA };
    tensors[PARAM_NAMES.loraB] = { shape: [shape.rank, shape.dim], data: params.loraB };
  }
  const weights = join(directory, ADAPTER_WEIGHTS);
  await writeFile(`${weights}.tmp`, writeSafetensors(tensors, { format: 'pt' }));
  await rename(`${weights}.tmp`, weights);
  const cfg = join(directory, ADAPTER_CONFIG);
  await writeFile(`${cfg}.tmp`, `${JSON.stringify(config, null, 2)}\n`);
  await rename(`${cfg}.tmp`, cfg);
}

export interface ModelFacts {
  readonly source: string;
  readonly dim: number;
  readonly contextLength: number;
}

/** Reads an adapter folder and checks it fits `model`; every refusal names the adapter and what is wrong. */
export async function loadAdapter(directory: string, model: ModelFacts): Promise<Adapter> {
  const cfgPath = join(directory, ADAPTER_CONFIG);
  let config: AdapterConfig;
  try {
    config = JSON.parse(await readFile(cfgPath, 'utf8')) as AdapterConfig;
  } catch (error) {
    throw new Error(`adapter ${directory}: cannot read ${ADAPTER_CONFIG}: ${(error as Error).message}`);
  }
  if (config.peft_type !== 'PROMPT_TUNING' && config.peft_type !== 'PROMPT_TUNING_LORA') {
    throw new Error(
      `adapter ${directory}: peft_type ${JSON.stringify(config.peft_type)} is not a prompt-tuning adapter (expected PROMPT_TUNING or PROMPT_TUNING_LORA)`,
    );
  }
  if (config.token_dim !== model.dim) {
    throw new Error(
      `adapter ${directory} was made for a model with token_dim ${config.token_dim} (${config.base_model_name_or_path}); ${model.source} has embedding width ${model.dim}`,
    );
  }
  if (config.base_model_name_or_path !== model.source) {
    throw new Error(
      `adapter ${directory} was trained on ${config.base_model_name_or_path}, not ${model.source}; load it with --model ${config.base_model_name_or_path}`,
    );
  }
  const shape: DeptShape = {
    promptTokens: config.num_virtual_tokens,
    rank: config.r ?? 0,
    maxLength: config.max_length,
    dim: config.token_dim,
    alpha: config.lora_alpha ?? 8,
  };
  const weightsPath = join(directory, ADAPTER_WEIGHTS);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(weightsPath);
  } catch (error) {
    throw new Error(`adapter ${directory}: cannot read ${ADAPTER_WEIGHTS}: ${(error as Error).message}`);
  }
  const { tensors } = readSafetensors(bytes, weightsPath);
  const expect = (name: string, dims: number[]): Float32Array => {
    const t = tensors[name];
    if (!t) {
      throw new Error(
        `adapter ${weightsPath}: no tensor "${name}"; it holds ${Object.keys(tensors).join(', ') || 'none'}`,
      );
    }
    if (t.shape.length !== dims.length || t.shape.some((v, i) => v !== dims[i])) {
      throw new Error(
        `adapter ${weightsPath}: "${name}" is [${t.shape.join(', ')}], adapter_config.json says [${dims.join(', ')}]`,
      );
    }
    return t.data;
  };
  const params: DeptParams = {
    prompt: expect(PARAM_NAMES.prompt, [shape.promptTokens, shape.dim]),
    loraA: shape.rank > 0 ? expect(PARAM_NAMES.loraA, [shape.maxLength, shape.rank]) : new Float32Array(0),
    loraB: shape.rank > 0 ? expect(PARAM_NAMES.loraB, [shape.rank, shape.dim]) : new Float32Array(0),
  };
  if (shape.promptTokens + shape.maxLength >= model.contextLength) {
    throw new Error(
      `adapter ${directory}: m + s = ${shape.promptTokens + shape.maxLength} leaves no room for the label in ${model.source}'s ${model.contextLength} positions`,
    );
  }
  return { config, shape, params };
}

/** adapter_config.json for a trained adapter. */
export function adapterConfigOf(options: {
  shape: DeptShape;
  variant: 'dept' | 'prompt-tuning';
  model: string;
  layers: number;
  heads: number;
  initText: string;
  task: string;
  labels: readonly string[];
  overflow: 'truncate' | 'error';
  predict: 'greedy' | 'score';
  budgetTokens: number;
  steps: number;
  seed: number;
}): AdapterConfig {
  const { shape } = options;
  return {
    peft_type: shape.rank > 0 ? 'PROMPT_TUNING_LORA' : 'PROMPT_TUNING',
    task_type: 'CAUSAL_LM',
    num_virtual_tokens: shape.promptTokens,
    token_dim: shape.dim,
    num_transformer_submodules: 1,
    num_attention_heads: options.heads,
    num_layers: options.layers,
    prompt_tuning_init: 'TEXT',
    prompt_tuning_init_text: options.initText,
    tokenizer_name_or_path: options.model,
    base_model_name_or_path: options.model,
    inference_mode: true,
    revision: null,
    r: shape.rank,
    lora_alpha: shape.alpha,
    max_length: shape.maxLength,
    attune: {
      variant: options.variant,
      task: options.task,
      labels: [...options.labels],
      overflow: options.overflow,
      predict: options.predict,
      trainable_parameters: trainableParameters(shape),
      budget_tokens: options.budgetTokens,
      steps: options.steps,
      seed: options.seed,
    },
  };
}
