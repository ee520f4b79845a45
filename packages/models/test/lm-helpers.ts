// Shared readers for the language-model tests: the zoo's reference outputs and held-out prompts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZOO_MODELS_DIR } from '@attune/zoo';

export interface LmReference {
  prompt: string;
  prompt_ids: number[];
  last_logits_head: number[];
  greedy_ids: number[];
  greedy_text: string;
  tokenizer_cases: { text: string; ids: number[] }[];
}

export interface RewardPair {
  prompt: string;
  completion: string;
  label: number;
  ids: number[];
  score: number;
}

export function lmReference(): LmReference {
  return JSON.parse(readFileSync(join(ZOO_MODELS_DIR, 'mini-lm', 'reference.json'), 'utf8')) as LmReference;
}

export function rewardPairs(): RewardPair[] {
  const text = readFileSync(join(ZOO_MODELS_DIR, 'mini-rm', 'reference.json'), 'utf8');
  return (JSON.parse(text) as { pairs: RewardPair[] }).pairs;
}

/** The first `count` held-out arithmetic questions, formatted with the model's prompt template. */
export function heldoutPrompts(count: number, template: string): string[] {
  const lines = readFileSync(join(ZOO_MODELS_DIR, 'mini-lm', 'heldout.jsonl'), 'utf8')
    .trim()
    .split('\n');
  return lines
    .slice(0, count)
    .map((l) => template.replace('{question}', (JSON.parse(l) as { question: string }).question));
}

/** log softmax(logits / T) at `token`, in float64: an independent reference for the sampler. */
export function referenceLogProb(logits: ArrayLike<number>, token: number, temperature = 1): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]! / temperature);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i]! / temperature - max);
  return logits[token]! / temperature - max - Math.log(sum);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}
