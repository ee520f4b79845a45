import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectOnnx, ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCausalLM } from '../src/index.js';
import { lmReference } from './lm-helpers.js';

// mini-lm's decoder laid out as an optimum export: decoder_model_merged.onnx at the top level and a GPT-2
// config (no num_parameters, no pad token, no prompt template).
const root = mkdtempSync(join(tmpdir(), 'attune-hf-decoder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const lmDir = join(ZOO_MODELS_DIR, 'mini-lm');
const gpt2Config = {
  model_type: 'gpt2',
  architectures: ['GPT2LMHeadModel'],
  vocab_size: 2048,
  n_embd: 128,
  n_layer: 4,
  n_head: 4,
  n_positions: 256,
  bos_token_id: 0,
  eos_token_id: 0,
};

function folder(name: string, decoder: string): string {
  const dir = join(root, name);
  mkdirSync(dir);
  copyFileSync(decoder, join(dir, 'decoder_model_merged.onnx'));
  copyFileSync(join(lmDir, 'tokenizer.json'), join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify(gpt2Config));
  return dir;
}

describe('CausalLM over a Hugging Face-style decoder folder', () => {
  it('loads it, counts the weights for numParameters, pads with the end token, and decodes as the zoo model', async () => {
    const dir = folder('gpt2-style', join(lmDir, 'onnx', 'model.onnx'));
    const lm = await loadCausalLM(dir, { threads: 1 });
    try {
      const weights = (await inspectOnnx(join(dir, 'decoder_model_merged.onnx'))).initializerElements;
      expect(lm.config.numParameters).toBe(weights);
      expect(lm.config.padTokenId).toBe(0);
      expect(lm.config.promptTemplate).toBeUndefined();
      const reference = lmReference();
      const [g] = await lm.generate([lm.encode(reference.prompt)], { maxNewTokens: 40, temperature: 0 });
      expect(g!.tokens).toEqual(reference.greedy_ids);
    } finally {
      await lm.dispose();
    }
  });

  it('refuses a graph without a key/value cache, naming what is missing', async () => {
    const dir = folder('no-cache', join(ZOO_MODELS_DIR, 'mini-rm', 'onnx', 'model.onnx'));
    await expect(loadCausalLM(dir, { threads: 1 })).rejects.toThrow(
      /decoder_model_merged\.onnx is not a decoder with a key\/value cache for 4 layers \(config\.json\): missing input past_key_values\.0\.key, input past_key_values\.0\.value, .*export it with past_key_values/,
    );
  });
});
