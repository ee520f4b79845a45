// The folder checks every reward model of the zoo passes (zoo:mini-rm, zoo:mini-rm-b): its config, the
// sha256 of every file, the tokenizer it shares with mini-lm, and torch parity of the exported scorer on the
// reference pairs the recipe wrote.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type RewardModelConfig, resolveModel, verifyModel } from '../../src/index.js';
import { loadTokenizer } from './clip-runtime.js';
import { int64 } from './lm-runtime.js';

interface Pair {
  prompt: string;
  completion: string;
  label: number;
  ids: number[];
  score: number;
}

export async function describeRewardFolder(id: string): Promise<void> {
  const model = await resolveModel(id);
  const config = model.config as RewardModelConfig;
  const pairs = (JSON.parse(readFileSync(join(model.dir, 'reference.json'), 'utf8')) as { pairs: Pair[] })
    .pairs;
  const tokenizer = loadTokenizer(model);
  const scorer = await ort.InferenceSession.create(model.files.scorer!.path, {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  afterAll(() => scorer.release());

  /** Right-padded rows, as the recipe trains and exports the scorer. */
  async function scores(rows: readonly number[][]): Promise<number[]> {
    const width = Math.max(...rows.map((r) => r.length));
    const ids = rows.map((r) => [...r, ...Array(width - r.length).fill(config.padTokenId)]);
    const mask = rows.map((r) => [...Array(r.length).fill(1), ...Array(width - r.length).fill(0)]);
    const { logits } = await scorer.run({ input_ids: int64(ids), attention_mask: int64(mask) });
    expect(logits!.dims).toEqual([rows.length, 1]);
    return [...(logits!.data as Float32Array)];
  }

  describe(`${id} folder`, () => {
    it('resolves as a one-label reward model over mini-lm, with its tokenizer', async () => {
      expect(model.kind).toBe('reward-model');
      expect(config).toMatchObject({
        modelType: 'attune-gpt-reward',
        numLabels: 1,
        bosTokenId: 0,
        eosTokenId: 0,
        padTokenId: 1,
        inputFormat: 'bos + tokens(prompt + completion) + eos, right-padded',
      });
      expect(config.contextLength).toBe(
        (model.card!.architecture as { context_length: number }).context_length,
      );
      expect(model.card!.base_model).toBe('zoo:mini-lm');
      const lm = await resolveModel('zoo:mini-lm');
      expect(readFileSync(model.files.tokenizer!.path)).toEqual(readFileSync(lm.files.tokenizer!.path));
    });

    it('verifies: sha256 of every file against the card, a scorer with input_ids/attention_mask -> logits', async () => {
      const report = await verifyModel(id);
      expect(report.problems).toEqual([]);
      const onnx = report.files.find((f) => f.path === 'onnx/model.onnx')!;
      expect(onnx.role).toBe('scorer');
      expect(onnx.inputs).toEqual(['input_ids', 'attention_mask']);
      expect(onnx.outputs).toEqual(['logits']);
      for (const f of model.card!.files) {
        expect(report.files.find((c) => c.path === f.path)!.actualSha256, f.path).toBe(f.sha256);
      }
    });

    it('tokenizes each reference pair as BOS + tokens(prompt + completion) + EOS', () => {
      expect(pairs.length).toBeGreaterThanOrEqual(4);
      for (const p of pairs) {
        expect([...tokenizer.encode(p.prompt + p.completion).ids, config.eosTokenId]).toEqual(p.ids);
      }
    });

    it('scores the reference pairs as torch did, batched and right-padded (1e-4)', async () => {
      const batched = await scores(pairs.map((p) => p.ids));
      pairs.forEach((p, i) => {
        expect(Math.abs(batched[i]! - p.score), `pair ${i}`).toBeLessThan(1e-4);
      });
      const alone = await scores([pairs[1]!.ids]);
      expect(Math.abs(alone[0]! - batched[1]!)).toBeLessThan(1e-5);
    });
  });
}
