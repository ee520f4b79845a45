/**
 * Argument checks for CausalLM / RewardModel calls. Each error names the argument, what it was and what
 * would be right, before any onnxruntime call could fail with a kernel message.
 */

export interface ResolvedGenerateOptions {
  readonly maxNewTokens: number;
  readonly temperature: number;
  readonly stopTokens: ReadonlySet<number>;
  readonly seed: number;
  readonly batchSize: number;
  readonly onProgress: ((doneRows: number, totalRows: number) => void) | undefined;
}

interface ModelFacts {
  readonly source: string;
  readonly vocabSize: number;
  readonly contextLength: number;
}

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** Token ids: integers in [0, vocabSize). `what` names the array, e.g. "prefixes[2]". */
export function checkTokenIds(
  ids: unknown,
  what: string,
  model: ModelFacts,
): asserts ids is readonly number[] {
  if (!Array.isArray(ids)) throw new TypeError(`${what}: expected an array of token ids, got ${typeof ids}`);
  for (let i = 0; i < ids.length; i++) {
    const id: unknown = ids[i];
    if (!isInt(id) || id < 0 || id >= model.vocabSize) {
      throw new RangeError(
        `${what}[${i}] = ${String(id)} is not a token id of ${model.source}: expected an integer in [0, ${model.vocabSize})`,
      );
    }
  }
}

/** A prefix must hold a token and leave room in the context for at least one new token. */
export function checkPrefix(
  prefix: unknown,
  what: string,
  model: ModelFacts,
): asserts prefix is readonly number[] {
  checkTokenIds(prefix, what, model);
  if (prefix.length === 0) {
    throw new RangeError(
      `${what} is empty; a prefix needs at least one token (start it with the BOS token: lm.encode(text) does)`,
    );
  }
  const max = model.contextLength - 1;
  if (prefix.length > max) {
    throw new RangeError(
      `${what} has ${prefix.length} tokens but ${model.source}'s context length is ${model.contextLength}: ` +
        `a prefix may hold at most ${max} tokens so that one new token fits; shorten the prompt ` +
        `(e.g. keep its last ${max} tokens) or use a model with a longer context`,
    );
  }
}

export function resolveGenerateOptions(
  options: unknown,
  defaults: { readonly stopTokens: readonly number[] },
  model: ModelFacts,
): ResolvedGenerateOptions {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(
      'generate: expected options { maxNewTokens, temperature?, stopTokens?, seed?, batchSize? }',
    );
  }
  const o = options as Record<string, unknown>;
  const { maxNewTokens } = o;
  if (!isInt(maxNewTokens) || maxNewTokens < 1) {
    throw new RangeError(`maxNewTokens: expected an integer >= 1, got ${String(maxNewTokens)}`);
  }
  const temperature = o.temperature ?? 1;
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new RangeError(
      `temperature: expected a finite number >= 0 (0 = greedy, 1 = the model's distribution), got ${String(temperature)}`,
    );
  }
  const stopTokens = o.stopTokens ?? defaults.stopTokens;
  checkTokenIds(stopTokens, 'stopTokens', model);
  const seed = o.seed ?? 0;
  if (!isInt(seed) || !Number.isSafeInteger(seed)) {
    throw new RangeError(`seed: expected a safe integer, got ${String(seed)}`);
  }
  const batchSize = checkBatchSizeOption(o.batchSize);
  const { onProgress } = o;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new TypeError(
      `onProgress: expected a function (doneRows, totalRows) => void, got ${typeof onProgress}`,
    );
  }
  return {
    maxNewTokens,
    temperature,
    stopTokens: new Set(stopTokens),
    seed,
    batchSize,
    onProgress: onProgress as ResolvedGenerateOptions['onProgress'],
  };
}

export function checkBatchSizeOption(batchSize: unknown): number {
  const value = batchSize ?? 64;
  if (!isInt(value) || value < 1) {
    throw new RangeError(
      `batchSize: expected an integer >= 1 (rows per onnxruntime call), got ${String(value)}`,
    );
  }
  return value;
}
