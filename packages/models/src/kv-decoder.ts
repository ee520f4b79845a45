/**
 * A batch of left-padded sequences decoding through a Hugging Face-layout decoder graph with a key/value
 * cache (input_ids, attention_mask, position_ids, past_key_values.{i}.key/.value -> logits,
 * present.{i}.key/.value).
 *
 * Left padding: pad columns have attention_mask 0 and position 0, real tokens count positions from 0,
 * so a row's logits do not depend on how much padding the batch gave it. The graph's present tensors are
 * fed back as the next call's past as they are (no copy); `keepRows` is the only copy, made when
 * finished rows leave the batch.
 */
import { type OnnxSession, Tensor } from '@attune/backend-onnx';

export interface DecoderShape {
  readonly numLayers: number;
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  readonly contextLength: number;
}

/** Which optional inputs the graph has (exports differ) and the cache's input/output names. */
export interface DecoderLayout extends DecoderShape {
  readonly pastNames: readonly string[];
  readonly presentNames: readonly string[];
  readonly hasPositionIds: boolean;
  /** optimum's merged decoders switch between their no-cache and cache branches with this input. */
  readonly hasUseCacheBranch: boolean;
}

/** Checks the graph's names against the decoder layout; the error lists what is missing. */
export function decoderLayout(session: OnnxSession, shape: DecoderShape): DecoderLayout {
  const inputs = session.inputNames;
  const outputs = session.outputNames;
  const pastNames: string[] = [];
  const presentNames: string[] = [];
  for (let i = 0; i < shape.numLayers; i++) {
    for (const kv of ['key', 'value']) {
      pastNames.push(`past_key_values.${i}.${kv}`);
      presentNames.push(`present.${i}.${kv}`);
    }
  }
  const missing = [
    ...['input_ids', 'attention_mask', ...pastNames]
      .filter((n) => !inputs.includes(n))
      .map((n) => `input ${n}`),
    ...['logits', ...presentNames].filter((n) => !outputs.includes(n)).map((n) => `output ${n}`),
  ];
  if (missing.length > 0) {
    throw new Error(
      `${session.info.model} is not a decoder with a key/value cache for ${shape.numLayers} layers (config.json): ` +
        `missing ${missing.slice(0, 6).join(', ')}${missing.length > 6 ? `, … (${missing.length} in all)` : ''}. ` +
        `Its inputs are [${inputs.join(', ')}], outputs [${outputs.join(', ')}]; export it with past_key_values ` +
        '(e.g. optimum-cli export onnx --task text-generation-with-past)',
    );
  }
  return {
    ...shape,
    pastNames,
    presentNames,
    hasPositionIds: inputs.includes('position_ids'),
    hasUseCacheBranch: inputs.includes('use_cache_branch'),
  };
}

/**
 * One sequence's key/value cache, detached from any batch: for each of the graph's past inputs (layer-major,
 * key then value, as DecoderLayout.pastNames) a [numKvHeads, length, headDim] block for the sequence's first
 * `length` tokens (positions 0..length-1, no padding).
 */
export interface KvCache {
  readonly length: number;
  readonly blocks: readonly Float32Array[];
}

function int64Tensor(values: BigInt64Array, dims: readonly number[]): Tensor {
  return new Tensor('int64', values, [...dims]);
}

export class DecodeBatch {
  /** Rows in the batch (finished rows stay until keepRows drops them). */
  rows: number;
  /** Columns of the cache (and attention mask) so far. */
  length = 0;
  /** Masked columns at the left of each row. */
  private padLeft: Int32Array;
  /** Position id of each row's next token. */
  private nextPosition: Int32Array;
  private past: Tensor[] | undefined;
  private logits: Tensor | undefined;
  /** Tokens fed by the last call (its logits tensor's sequence length). */
  private fed = 0;

  constructor(
    private readonly session: OnnxSession,
    private readonly layout: DecoderLayout,
    rows: number,
  ) {
    this.rows = rows;
    this.padLeft = new Int32Array(rows);
    this.nextPosition = new Int32Array(rows);
  }

  /** First call: the prefixes left-padded to the longest, with an empty cache. */
  async prefill(prefixes: readonly (readonly number[])[], padTokenId: number): Promise<void> {
    if (prefixes.length !== this.rows)
      throw new Error(`expected ${this.rows} prefixes, got ${prefixes.length}`);
    const width = Math.max(...prefixes.map((p) => p.length));
    const ids = new BigInt64Array(this.rows * width).fill(BigInt(padTokenId));
    const positions = new BigInt64Array(this.rows * width);
    prefixes.forEach((prefix, r) => {
      const pad = width - prefix.length;
      this.padLeft[r] = pad;
      this.nextPosition[r] = prefix.length;
      for (let i = 0; i < prefix.length; i++) {
        ids[r * width + pad + i] = BigInt(prefix[i]!);
        positions[r * width + pad + i] = BigInt(i);
      }
    });
    await this.run(ids, positions, width);
  }

  /**
   * First call from caches: row r reuses the first `cachedLengths[r]` tokens of `caches[r]` (no recomputation of
   * them) and is then fed `tails[r]`, one token per row (the token after the cached ones, whose logits the next
   * sample needs). The caches are copied into one left-padded past, the same layout prefill() gives.
   */
  async prefillFromCaches(
    caches: readonly KvCache[],
    cachedLengths: readonly number[],
    tails: ArrayLike<number>,
  ): Promise<void> {
    if (caches.length !== this.rows || cachedLengths.length !== this.rows) {
      throw new Error(`expected ${this.rows} caches, got ${caches.length}`);
    }
    const { numKvHeads: heads, headDim } = this.layout;
    const width = Math.max(...cachedLengths);
    this.past = this.layout.pastNames.map((_, b) => {
      const out = new Float32Array(this.rows * heads * width * headDim);
      caches.forEach((cache, r) => {
        const m = cachedLengths[r]!;
        const src = cache.blocks[b]!;
        for (let h = 0; h < heads; h++) {
          const from = h * cache.length * headDim;
          out.set(src.subarray(from, from + m * headDim), ((r * heads + h) * width + width - m) * headDim);
        }
      });
      return new Tensor('float32', out, [this.rows, heads, width, headDim]);
    });
    cachedLengths.forEach((m, r) => {
      this.padLeft[r] = width - m;
      this.nextPosition[r] = m;
    });
    this.length = width;
    await this.step(tails);
  }

  /**
   * Row r's cache as it stands (every token fed so far, padding dropped), copied out of the batch: call it
   * when the row finishes, before it is fed anything else.
   */
  rowCache(r: number): KvCache {
    const { numKvHeads: heads, headDim } = this.layout;
    const pad = this.padLeft[r]!;
    const length = this.length - pad;
    const blocks = this.past!.map((tensor) => {
      const src = tensor.data as Float32Array;
      const out = new Float32Array(heads * length * headDim);
      for (let h = 0; h < heads; h++) {
        const from = ((r * heads + h) * this.length + pad) * headDim;
        out.set(src.subarray(from, from + length * headDim), h * length * headDim);
      }
      return out;
    });
    return { length, blocks };
  }

  /** One token per row (finished rows may be fed anything, e.g. the pad id). */
  async step(tokens: ArrayLike<number>): Promise<void> {
    const ids = new BigInt64Array(this.rows);
    const positions = new BigInt64Array(this.rows);
    const lastPosition = this.layout.contextLength - 1;
    for (let r = 0; r < this.rows; r++) {
      ids[r] = BigInt(tokens[r]!);
      // A finished row may sit at the context end; clamp so the position table is never overrun.
      positions[r] = BigInt(Math.min(this.nextPosition[r]!, lastPosition));
      this.nextPosition[r]! += 1;
    }
    await this.run(ids, positions, 1);
  }

  /** Logits [vocab] of row r at the last fed token (a view into the graph's output). */
  lastLogits(r: number): Float32Array {
    return this.logitsAt(r, this.fed - 1);
  }

  /** Logits [vocab] of row r at column `index` of the last call's input. */
  logitsAt(r: number, index: number): Float32Array {
    const vocab = this.layout.vocabSize;
    const offset = (r * this.fed + index) * vocab;
    return (this.logits!.data as Float32Array).subarray(offset, offset + vocab);
  }

  /**
   * Keep only `keep` (batch row indices, in order): gathers their cache rows and drops the leading
   * columns that are padding in every kept row. The one copy of the cache this class makes.
   */
  keepRows(keep: readonly number[]): void {
    const trim = Math.min(...keep.map((r) => this.padLeft[r]!));
    const newLength = this.length - trim;
    const { numKvHeads: heads, headDim } = this.layout;
    this.past = this.past!.map((tensor) => {
      const src = tensor.data as Float32Array;
      const out = new Float32Array(keep.length * heads * newLength * headDim);
      const block = newLength * headDim;
      keep.forEach((r, k) => {
        for (let h = 0; h < heads; h++) {
          const from = ((r * heads + h) * this.length + trim) * headDim;
          out.set(src.subarray(from, from + block), (k * heads + h) * block);
        }
      });
      tensor.dispose();
      return new Tensor('float32', out, [keep.length, heads, newLength, headDim]);
    });
    this.padLeft = Int32Array.from(keep, (r) => this.padLeft[r]! - trim);
    this.nextPosition = Int32Array.from(keep, (r) => this.nextPosition[r]!);
    this.rows = keep.length;
    this.length = newLength;
    this.logits?.dispose();
    this.logits = undefined;
  }

  /** Frees the cache and logits now rather than at garbage collection. */
  dispose(): void {
    for (const t of this.past ?? []) t.dispose();
    this.logits?.dispose();
    this.past = undefined;
    this.logits = undefined;
  }

  private async run(ids: BigInt64Array, positions: BigInt64Array, fed: number): Promise<void> {
    const { numKvHeads, headDim, pastNames, presentNames } = this.layout;
    const total = this.length + fed;
    const mask = new BigInt64Array(this.rows * total).fill(1n);
    for (let r = 0; r < this.rows; r++) mask.fill(0n, r * total, r * total + this.padLeft[r]!);
    const feeds: Record<string, Tensor> = {
      input_ids: int64Tensor(ids, [this.rows, fed]),
      attention_mask: int64Tensor(mask, [this.rows, total]),
    };
    if (this.layout.hasPositionIds) feeds.position_ids = int64Tensor(positions, [this.rows, fed]);
    if (this.layout.hasUseCacheBranch) feeds.use_cache_branch = new Tensor('bool', [this.length > 0], [1]);
    const empty = new Float32Array(0);
    pastNames.forEach((name, i) => {
      feeds[name] = this.past?.[i] ?? new Tensor('float32', empty, [this.rows, numKvHeads, 0, headDim]);
    });
    const outputs = await this.session.run(feeds);
    for (const t of this.past ?? []) t.dispose();
    this.logits?.dispose();
    this.past = presentNames.map((name) => outputs[name]!);
    this.logits = outputs.logits!;
    this.length = total;
    this.fed = fed;
  }
}
