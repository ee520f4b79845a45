// The checks every zoo causal-LM folder with mini-lm's layout passes (zoo:mini-lm, zoo:mini-lm-t): config against
// the card, sha256 and graph I/O, the tokenizer against Python's ids, and onnxruntime against torch's reference.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { type CausalLMModelConfig, type ResolvedModel, resolveModel, verifyModel } from '../../src/index.js';
import { loadTokenizer } from './clip-runtime.js';
import { decoderFeeds, emptyPast, int64, logitsAt, maxAbsDiff, presentAsPast } from './lm-runtime.js';

export interface Reference {
  prompt: string;
  prompt_ids: number[];
  last_logits_head: number[];
  greedy_ids: number[];
  greedy_text: string;
  tokenizer_cases: { text: string; ids: number[] }[];
}

export async function describeLmFolder(
  id: string,
): Promise<{ model: ResolvedModel; config: CausalLMModelConfig; reference: Reference }> {
  const model = await resolveModel(id);
  const config = model.config as CausalLMModelConfig;
  const reference = JSON.parse(readFileSync(join(model.dir, 'reference.json'), 'utf8')) as Reference;
  const tokenizer = loadTokenizer(model);
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const decoder = await ort.InferenceSession.create(model.files.decoder!.path, options);
  afterAll(() => decoder.release());

  describe(`${id} folder`, () => {
    it('resolves as a causal LM whose config agrees with its card', () => {
      expect(model.kind).toBe('causal-lm');
      const arch = model.card!.architecture as Record<string, number>;
      expect(config).toMatchObject({
        modelType: 'attune-gpt',
        vocabSize: arch.vocab_size,
        hiddenSize: arch.width,
        numLayers: arch.layers,
        numHeads: arch.heads,
        numKvHeads: arch.heads,
        headDim: arch.width! / arch.heads!,
        contextLength: arch.context_length,
        numParameters: arch.parameters,
        bosTokenId: 0,
        eosTokenId: 0,
        padTokenId: 1,
        promptTemplate: 'Question: {question}\nAnswer:',
      });
      expect(model.files.decoder!.relativePath).toBe('onnx/model.onnx');
      expect(model.files.decoderEmbeds!.relativePath).toBe('onnx/model_embeds.onnx');
      expect(model.files.tokenEmbedding!.relativePath).toBe('onnx/embed_tokens.onnx');
      expect(model.card!.kind).toBe('causal-lm');
    });

    it('verifies: sha256 of every file against the card, three graphs with the decoder layout', async () => {
      const report = await verifyModel(id);
      expect(report.problems).toEqual([]);
      const byPath = new Map(report.files.map((f) => [f.path, f]));
      for (const f of model.card!.files) expect(byPath.get(f.path)!.actualSha256, f.path).toBe(f.sha256);
      const layers = Array.from({ length: config.numLayers }, (_, i) => i);
      const decoderCheck = byPath.get('onnx/model.onnx')!;
      expect(decoderCheck.inputs).toEqual([
        'input_ids',
        'attention_mask',
        'position_ids',
        ...layers.flatMap((i) => [`past_key_values.${i}.key`, `past_key_values.${i}.value`]),
      ]);
      expect(decoderCheck.outputs).toEqual([
        'logits',
        ...layers.flatMap((i) => [`present.${i}.key`, `present.${i}.value`]),
      ]);
      expect(byPath.get('onnx/model_embeds.onnx')!.inputs![0]).toBe('inputs_embeds');
    });

    it('tokenizes every reference text to the ids the Python tokenizer gave (BOS first)', () => {
      expect(reference.tokenizer_cases.length).toBeGreaterThanOrEqual(3);
      for (const c of reference.tokenizer_cases) {
        expect(tokenizer.encode(c.text).ids, c.text).toEqual(c.ids);
        expect(c.ids[0]).toBe(config.bosTokenId);
      }
      expect(tokenizer.encode(reference.prompt).ids).toEqual(reference.prompt_ids);
    });

    it('decodes the reference greedy continuation to its text, skipping special tokens', () => {
      expect(tokenizer.decode(reference.greedy_ids, { skip_special_tokens: true })).toBe(
        reference.greedy_text,
      );
      expect(tokenizer.decode([config.bosTokenId, config.padTokenId], { skip_special_tokens: true })).toBe(
        '',
      );
    });

    it("gives torch's last-position logits with an empty cache (1e-4)", async () => {
      const ids = reference.prompt_ids;
      const out = await decoder.run(decoderFeeds(ids, 0, emptyPast(config, 1)));
      expect(out.logits!.dims).toEqual([1, ids.length, config.vocabSize]);
      const head = logitsAt(out.logits!, ids.length - 1).subarray(0, reference.last_logits_head.length);
      expect(maxAbsDiff(head, reference.last_logits_head)).toBeLessThan(1e-4);
    });

    it('gives the same logits when the prompt is fed in two parts through the cache (1e-4)', async () => {
      const ids = reference.prompt_ids;
      const full = await decoder.run(decoderFeeds(ids, 0, emptyPast(config, 1)));
      const split = 17;
      const first = await decoder.run(decoderFeeds(ids.slice(0, split), 0, emptyPast(config, 1)));
      expect(first['present.0.key']!.dims).toEqual([1, config.numKvHeads, split, config.headDim]);
      const second = await decoder.run(decoderFeeds(ids.slice(split), split, presentAsPast(first)));
      for (let t = split; t < ids.length; t++) {
        expect(
          maxAbsDiff(logitsAt(second.logits!, t - split), logitsAt(full.logits!, t)),
          `position ${t}`,
        ).toBeLessThan(1e-4);
      }
    });

    it('reproduces the greedy continuation torch wrote (a bare cached loop)', async () => {
      let past = emptyPast(config, 1);
      let input = reference.prompt_ids;
      let length = 0;
      const greedy: number[] = [];
      while (greedy.length < reference.greedy_ids.length) {
        const out = await decoder.run(decoderFeeds(input, length, past));
        length += input.length;
        const row = logitsAt(out.logits!, input.length - 1);
        let best = 0;
        for (let v = 1; v < row.length; v++) if (row[v]! > row[best]!) best = v;
        if (best === config.eosTokenId) break;
        greedy.push(best);
        past = presentAsPast(out);
        input = [best];
      }
      expect(greedy).toEqual(reference.greedy_ids);
    });

    it('runs the inputs_embeds graph on embed_tokens output to the same logits (1e-5)', async () => {
      const embed = await ort.InferenceSession.create(model.files.tokenEmbedding!.path, options);
      const fromEmbeds = await ort.InferenceSession.create(model.files.decoderEmbeds!.path, options);
      try {
        const ids = reference.prompt_ids.slice(0, 12);
        const { inputs_embeds } = await embed.run({ input_ids: int64([ids]) });
        expect(inputs_embeds!.dims).toEqual([1, ids.length, config.hiddenSize]);
        const { input_ids: _, ...rest } = decoderFeeds(ids, 0, emptyPast(config, 1));
        const a = await fromEmbeds.run({ ...rest, inputs_embeds: inputs_embeds! });
        const b = await decoder.run(decoderFeeds(ids, 0, emptyPast(config, 1)));
        expect(maxAbsDiff(a.logits!.data as Float32Array, b.logits!.data as Float32Array)).toBeLessThan(1e-5);
      } finally {
        await Promise.all([embed.release(), fromEmbeds.release()]);
      }
    });
  });
  return { model, config, reference };
}
