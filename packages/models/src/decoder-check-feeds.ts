// Feeds of a decoder graph (input_ids, attention_mask, position_ids, an empty KV cache; an MoE's routing
// inputs) for real prompts, padded on the left (as MoELM and C3PO batch) or on the right (as DePT's soft-prompt
// rows), for checking a graph cut from the decoder against it (derived-entry-points.ts).
import { Tensor } from '@attune/backend-onnx';
import type { CausalLMModelConfig, MoeLMModelConfig } from '@attune/zoo';
import type { LmTokenizer } from './lm-tokenizer.js';
import { MOE_ROUTING_INPUTS } from './moe-lm.js';
import { padTokenRows } from './token-rows.js';

export type DecoderConfig = CausalLMModelConfig | MoeLMModelConfig;

/** Questions put through the model's prompt template: short and long, so the padding varies. */
export const CHECK_QUESTIONS = [
  'Is the word "splendid" positive or negative?',
  'a',
  'Is 47 an even or an odd number? Answer with even or odd, please.',
  'How many syllables does the word "banana" have?',
];

export interface DecoderFeedOptions {
  readonly padding: 'left' | 'right';
  /** MoE only: override these layers at the last position (weights 1, 2, …, E renormalised by the graph). */
  readonly overrideLayers?: readonly number[];
  /** Graph input names, so only the KV-cache inputs the graph has are fed. */
  readonly inputNames: readonly string[];
}

/** The decoder's feeds for `prompts` (BOS + tokens each). */
export function decoderFeeds(
  config: DecoderConfig,
  tokenizer: LmTokenizer,
  prompts: readonly string[],
  options: DecoderFeedOptions,
): Record<string, Tensor> {
  const n = prompts.length;
  const { ids, mask, positions, width } = padTokenRows(
    prompts.map((p) => tokenizer.encode(p)),
    config.padTokenId,
    options.padding,
  );
  const feeds: Record<string, Tensor> = {
    input_ids: new Tensor('int64', ids, [n, width]),
    attention_mask: new Tensor('int64', mask, [n, width]),
    position_ids: new Tensor('int64', positions, [n, width]),
  };
  for (const name of options.inputNames.filter((i) => i.startsWith('past_key_values'))) {
    feeds[name] = new Tensor('float32', new Float32Array(0), [n, config.numKvHeads, 0, config.headDim]);
  }
  if (config.kind === 'moe-lm') {
    const L = config.numLayers;
    const E = config.numExperts;
    const [override, flags] = MOE_ROUTING_INPUTS;
    const weights = new Float32Array(n * L * E).fill(1 / E);
    const on = new Float32Array(L);
    for (const l of options.overrideLayers ?? []) {
      on[l] = 1;
      for (let r = 0; r < n; r++) for (let e = 0; e < E; e++) weights[(r * L + l) * E + e] = e + 1;
    }
    feeds[override] = new Tensor('float32', weights, [n, L, E]);
    feeds[flags] = new Tensor('float32', on, [L]);
  }
  return feeds;
}
