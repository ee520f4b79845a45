/**
 * RewardModel over a one-label sequence-classification folder (zoo:mini-rm or a Hugging Face export):
 * each (prompt, completion) pair is scored as BOS + tokens(prompt + completion) + EOS, right-padded and
 * batched, the format the zoo's mini-rm recipe trains on. Pairs that do not fit the context are refused
 * rather than truncated: a cut completion would be scored on text the model never sees end.
 */
import { type OnnxBackend, type OnnxSession, Tensor } from '@attune/backend-onnx';
import type { RewardModelConfig as ZooRewardConfig } from '@attune/zoo';
import { type LmLoadOptions, loadLmGraph } from './lm-graph-loader.js';
import { checkBatchSizeOption } from './lm-input-checks.js';
import type { LmTokenizer } from './lm-tokenizer.js';

export interface RewardModel {
  readonly source: string;
  readonly config: {
    contextLength: number;
    numParameters: number;
    bosTokenId: number;
    eosTokenId: number;
    padTokenId: number;
  };
  score(
    pairs: readonly { prompt: string; completion: string }[],
    options?: { batchSize?: number },
  ): Promise<number[]>;
  dispose(): Promise<void>;
}

export async function loadRewardModel(source: string, options: LmLoadOptions = {}): Promise<RewardModel> {
  return loadLmGraph(
    source,
    {
      kind: 'reward-model',
      graph: 'scorer',
      describe:
        'a reward model folder (config.json model_type "attune-gpt-reward", or a *ForSequenceClassification export with num_labels 1)',
    },
    options,
    (g) => new OnnxRewardModel(source, g.config, g.numParameters, g.backend, g.session, g.tokenizer),
  );
}

export class OnnxRewardModel implements RewardModel {
  readonly config: RewardModel['config'];
  private disposed = false;

  /** Use loadRewardModel. */
  constructor(
    readonly source: string,
    modelConfig: ZooRewardConfig,
    numParameters: number,
    private readonly backend: OnnxBackend,
    private readonly session: OnnxSession,
    private readonly tokenizer: LmTokenizer,
  ) {
    this.config = {
      contextLength: modelConfig.contextLength,
      numParameters,
      bosTokenId: modelConfig.bosTokenId,
      eosTokenId: modelConfig.eosTokenId,
      padTokenId: modelConfig.padTokenId,
    };
  }

  /** BOS + tokens(prompt + completion) + EOS: what the scorer reads for one pair. */
  encodePair(prompt: string, completion: string): number[] {
    return [...this.tokenizer.encode(prompt + completion, true), this.config.eosTokenId];
  }

  async score(
    pairs: readonly { prompt: string; completion: string }[],
    options: { batchSize?: number } = {},
  ): Promise<number[]> {
    if (this.disposed) throw new Error(`the RewardModel for ${this.source} was disposed; load it again`);
    if (!Array.isArray(pairs))
      throw new TypeError(`score: expected an array of { prompt, completion }, got ${typeof pairs}`);
    const batchSize = checkBatchSizeOption(options.batchSize);
    const encoded = pairs.map((pair, i) => {
      if (typeof pair?.prompt !== 'string' || typeof pair.completion !== 'string') {
        throw new TypeError(`pairs[${i}]: expected { prompt: string, completion: string }`);
      }
      const ids = this.encodePair(pair.prompt, pair.completion);
      const limit = this.config.contextLength;
      if (ids.length > limit) {
        throw new RangeError(
          `pairs[${i}] is ${ids.length} tokens as BOS + prompt + completion + EOS but ${this.source}'s context length is ` +
            `${limit}; shorten the completion (or the prompt) by ${ids.length - limit} tokens`,
        );
      }
      return ids;
    });
    // Similar lengths share a batch (less padding); scores go back in the caller's order.
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a]!.length - encoded[b]!.length || a - b);
    const scores = new Array<number>(pairs.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const rows = order.slice(start, start + batchSize);
      const out = await this.scoreRows(rows.map((i) => encoded[i]!));
      rows.forEach((i, k) => {
        scores[i] = out[k]!;
      });
    }
    return scores;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.backend.dispose();
  }

  private async scoreRows(rows: readonly number[][]): Promise<number[]> {
    const width = Math.max(...rows.map((r) => r.length));
    const ids = new BigInt64Array(rows.length * width).fill(BigInt(this.config.padTokenId));
    const mask = new BigInt64Array(rows.length * width);
    const positions = new BigInt64Array(rows.length * width);
    rows.forEach((row, r) => {
      row.forEach((id, t) => {
        ids[r * width + t] = BigInt(id);
        mask[r * width + t] = 1n;
      });
      for (let t = 0; t < width; t++) positions[r * width + t] = BigInt(Math.min(t, row.length - 1));
    });
    const dims = [rows.length, width];
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', ids, dims),
      attention_mask: new Tensor('int64', mask, dims),
    };
    // Some HF exports take explicit positions; right padding makes them 0..len-1 (pads repeat the last).
    if (this.session.inputNames.includes('position_ids'))
      feeds.position_ids = new Tensor('int64', positions, dims);
    const { logits } = await this.session.run(feeds);
    const values = logits!.data as Float32Array;
    if (values.length !== rows.length) {
      throw new Error(
        `${this.session.info.model} returned logits ${JSON.stringify(logits!.dims)}; a reward model must give [batch, 1]`,
      );
    }
    return Array.from(values);
  }
}
