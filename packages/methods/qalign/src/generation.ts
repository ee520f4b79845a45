// The LM and reward-model calls every strategy shares: prompts, batched sampling with per-row token budgets,
// and batched scoring. Outputs are kept as token lists that end with the stop token when the LM stopped on
// it, so |y| counts EOS (see acceptance.ts for why QAlign needs that).
import type { CausalLM, Generation, KvCache, RewardModel } from '@attune/models';
import type { Rng } from '@attune/tensor/numerics';
import { clipReward } from './acceptance.js';
import { extractAnswer } from './answer.js';
import { QUESTION_PLACEHOLDER } from './config.js';
import type { Answer } from './votes.js';

/** The subset of CausalLM the strategies use (tests may wrap a real model). */
export type TextLM = Pick<CausalLM, 'config' | 'encode' | 'decode' | 'generate'>;
/** The subset of RewardModel the strategies use (tests may wrap a real model to inject NaN). */
export type TextRewardModel = Pick<RewardModel, 'config' | 'score'>;

export interface EncodedPrompt {
  /** The prompt text the reward model reads, e.g. "Question: …\nAnswer:". */
  readonly text: string;
  /** Its token ids, BOS first: what the LM continues. */
  readonly ids: readonly number[];
}

/** One output of the LM for a prompt. */
export interface Completion {
  /** The generated tokens, ending with the stop token when the LM stopped on one. */
  readonly tokens: readonly number[];
  /** True when the output ended on a stop token (false: cut by the token budget or the context). */
  readonly stopped: boolean;
  /** The decoded text of the tokens before the stop token. */
  readonly text: string;
  /** extractAnswer(text). */
  readonly answer: Answer;
}

export interface ScoredCompletion extends Completion {
  /** r(x, y) clipped to ±rewardClip; NaN when the reward model returned NaN. */
  readonly reward: number;
}

/** The LM prompt for a question: template "" = the LM's own prompt_template, or the question as is without one. */
export function formatPrompt(question: string, template: string, lm: Pick<CausalLM, 'config'>): string {
  if (typeof question !== 'string' || question.length === 0) {
    throw new TypeError(`expected a non-empty prompt string, got ${JSON.stringify(question)}`);
  }
  const chosen = template === '' ? (lm.config.promptTemplate ?? QUESTION_PLACEHOLDER) : template;
  const [before = '', after = ''] = chosen.split(QUESTION_PLACEHOLDER);
  // A prompt that already carries the template's framing would be framed twice ("Question: Question: …").
  if (
    before.trim() !== '' &&
    question.trimStart().startsWith(before.trim()) &&
    question.trimEnd().endsWith(after.trim())
  ) {
    throw new Error(
      `the prompt already has the template's framing ${JSON.stringify(chosen)}, so it would be applied twice; ` +
        `pass the bare question, or set the config's template to "${QUESTION_PLACEHOLDER}" to use the prompt as is`,
    );
  }
  return chosen.split(QUESTION_PLACEHOLDER).join(question);
}

export function encodePrompt(lm: TextLM, text: string): EncodedPrompt {
  return { text, ids: lm.encode(text, { addBos: true }) };
}

/**
 * The longest output for a prompt, in tokens (EOS included): maxNewTokens, never past the LM's context, and
 * (with a reward model) short enough that BOS + prompt + completion + EOS fits the reward model's context.
 * At least 1, so that the adapter, not this code, reports a prompt that does not fit.
 */
export function outputBudget(
  lm: TextLM,
  prompt: EncodedPrompt,
  maxNewTokens: number,
  rm?: TextRewardModel,
): number {
  const room = Math.min(
    lm.config.contextLength - prompt.ids.length,
    rm ? rm.config.contextLength - prompt.ids.length - 1 : Number.POSITIVE_INFINITY,
  );
  return Math.max(1, Math.min(maxNewTokens, room));
}

/**
 * A generation as a Completion cut to `budget` tokens. Generation.tokens leave the stop token out; it is
 * appended (as the LM's eos id) when the generation stopped on one, so |y| counts it. A row that ran past
 * its budget (rows of one generate() call share one maxNewTokens) is cut: its first `budget` tokens are
 * distributed exactly as a generation with that budget, since sampling is left to right.
 */
export function toCompletion(lm: TextLM, generation: Generation, budget: number): Completion {
  let tokens = [...generation.tokens];
  let stopped = generation.stopReason === 'stop';
  if (stopped) tokens.push(lm.config.eosTokenId);
  if (tokens.length > budget) {
    tokens = tokens.slice(0, budget);
    stopped = false;
  }
  const text = decodeContent(lm, stopped ? tokens.slice(0, -1) : tokens);
  return { tokens, stopped, text, answer: extractAnswer(text) };
}

/** The text of content tokens; "" for none (an output that is only EOS). */
export function decodeContent(lm: TextLM, content: readonly number[]): string {
  return content.length === 0 ? '' : lm.decode(content);
}

/** Content tokens of an output (the stop token excluded): what the reward model reads after the prompt. */
export function contentLength(completion: Completion): number {
  return completion.stopped ? completion.tokens.length - 1 : completion.tokens.length;
}

/** A seed for one adapter call, drawn from a stream dedicated to LM calls. */
export function callSeed(rng: Rng): number {
  return rng.int(0, 2 ** 31 - 1);
}

export interface ContinueOptions {
  readonly temperature: number;
  readonly seed: number;
  readonly batchSize: number;
  readonly onProgress?: (doneRows: number, totalRows: number) => void;
}

/**
 * Continues every row in one generate() call (the adapter batches with left padding): row k continues
 * `prefixes[k]` (prompt ids + output tokens so far) for at most `budgets[k]` tokens.
 */
export async function continueRows(
  lm: TextLM,
  prefixes: readonly (readonly number[])[],
  budgets: readonly number[],
  options: ContinueOptions,
): Promise<Completion[]> {
  return (await continueCachedRows(lm, prefixes, budgets, options)).completions;
}

export interface CachedContinuations {
  readonly completions: Completion[];
  /** Each row's key/value cache (prefix + its new tokens but the last), when the LM returns caches. */
  readonly caches: (KvCache | undefined)[];
}

/**
 * continueRows that reuses and returns key/value caches: with `prefixCaches` (one per row, from an earlier
 * call over a sequence that starts with the row's prefix) the LM computes only each prefix's last token, not
 * the kept ones. An LM that does not return caches (a test wrapper) just gets none back.
 */
export async function continueCachedRows(
  lm: TextLM,
  prefixes: readonly (readonly number[])[],
  budgets: readonly number[],
  options: ContinueOptions & { readonly prefixCaches?: readonly KvCache[]; readonly returnCaches?: boolean },
): Promise<CachedContinuations> {
  if (prefixes.length === 0) return { completions: [], caches: [] };
  const maxNewTokens = Math.max(...budgets);
  const generations = await lm.generate(prefixes, {
    maxNewTokens,
    temperature: options.temperature,
    seed: options.seed,
    batchSize: options.batchSize,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.prefixCaches ? { prefixCaches: options.prefixCaches } : {}),
    ...(options.returnCaches ? { returnCaches: true } : {}),
  });
  if (generations.length !== prefixes.length) {
    throw new Error(`the LM returned ${generations.length} generations for ${prefixes.length} prefixes`);
  }
  return {
    completions: generations.map((g, k) => toCompletion(lm, g, budgets[k]!)),
    caches: generations.map((g) => g.cache),
  };
}

/** Concatenates a kept prefix of an output with a freshly generated continuation. */
export function joinCompletion(lm: TextLM, prefix: readonly number[], continuation: Completion): Completion {
  const tokens = [...prefix, ...continuation.tokens];
  const text = decodeContent(lm, continuation.stopped ? tokens.slice(0, -1) : tokens);
  return { tokens, stopped: continuation.stopped, text, answer: extractAnswer(text) };
}

export interface ScoredRows {
  /** r(x, y) clipped to ±clip; NaN when the reward model returned NaN or could not read the pair. */
  readonly rewards: number[];
  /** Tokens the reward model read per pair (BOS + prompt + completion + EOS; 0 when not scored). */
  readonly tokens: number[];
  /** Pairs left unscored because they do not fit the reward model's context (their reward is NaN). */
  readonly unscorable: number[];
}

/**
 * Reward-model scores of (prompt, completion) pairs in one call, clipped to ±clip. NaN stays NaN: the caller
 * counts it and decides (QAlign rejects the step, best-of-n never picks it). Each pair's length is measured
 * with the LM's tokenizer (the zoo's LM and reward model share one tokenizer.json, so this is exact there);
 * a pair longer than the reward model's context is not sent (the adapter would refuse the whole batch) and
 * gets NaN. Such pairs are rare: outputs are capped by outputBudget, and only a decode -> encode round trip
 * that grows the text (broken UTF-8 from an undertrained LM) can exceed it.
 */
export async function scoreRows(
  lm: TextLM,
  rm: TextRewardModel,
  pairs: readonly { prompt: string; completion: string }[],
  options: { clip: number; batchSize: number },
): Promise<ScoredRows> {
  const tokens = pairs.map((p) => lm.encode(p.prompt + p.completion, { addBos: true }).length + 1);
  const fits = tokens.map((t) => t <= rm.config.contextLength);
  const sent = pairs.filter((_, k) => fits[k]);
  const scores = sent.length > 0 ? await rm.score(sent, { batchSize: options.batchSize }) : [];
  if (scores.length !== sent.length) {
    throw new Error(`the reward model returned ${scores.length} scores for ${sent.length} pairs`);
  }
  let next = 0;
  const rewards = pairs.map((_, k) => (fits[k] ? clipReward(scores[next++]!, options.clip) : Number.NaN));
  return {
    rewards,
    tokens: tokens.map((t, k) => (fits[k] ? t : 0)),
    unscorable: fits.flatMap((f, k) => (f ? [] : [k])),
  };
}
