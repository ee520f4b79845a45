// The prompt tuner on zoo:mini-lm and real task data: determinism, checkpoint resume, adapters round-trip,
// and the bad inputs of issue item 6 (long input, unknown task, label outside the label words, adapter of
// another model, corrupt safetensors). Few steps and small batches: behaviour, not accuracy (that is bench/).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deptConfig } from '../src/config.js';
import { PromptTuner, shapeFor } from '../src/method.js';
import { PromptLM } from '../src/prompt-lm.js';
import { loadTask } from '../src/tasks.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-dept-'));
const parity = loadTask('parity');
const small = {
  name: 'parity',
  train: parity.splits.train.slice(0, 24),
  validation: parity.splits.validation.slice(0, 8),
  labels: parity.labels,
  maxLength: parity.maxLength,
};
let lm: PromptLM;
const tuner = (config: Record<string, unknown> = {}, variant: 'dept' | 'prompt-tuning' = 'dept') =>
  new PromptTuner(lm, {
    ...deptConfig.parse({ model: 'zoo:mini-lm', steps: 4, warmupSteps: 1, batchSize: 4, ...config }),
    ...(variant === 'prompt-tuning' ? { promptTokens: 40 } : {}),
    variant,
  });

beforeAll(async () => {
  lm = await PromptLM.load('zoo:mini-lm', { threads: 1 });
});
afterAll(async () => {
  await lm?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('equal budget', () => {
  it('DePT (auto m) and prompt tuning train the same number of parameters, L·d', () => {
    const base = deptConfig.parse({});
    const dept = shapeFor({ ...base, variant: 'dept' }, 32, 128);
    const pt = shapeFor({ ...base, variant: 'prompt-tuning' }, 32, 128);
    expect(dept).toMatchObject({ promptTokens: 25, rank: 12 });
    expect(pt).toMatchObject({ promptTokens: 40, rank: 0 });
    const count = (s: typeof dept) => s.promptTokens * s.dim + s.maxLength * s.rank + s.rank * s.dim;
    expect(count(dept)).toBe(40 * 128);
    expect(count(pt)).toBe(40 * 128);
  });

  it('an m that cannot meet the budget fails before training, naming valid ones', async () => {
    await expect(tuner({ promptTokens: 24 }).train(small)).rejects.toThrow(
      /Nearest choices that match exactly: m=25, r=12/,
    );
  });
});

describe('training', () => {
  it('is deterministic under a seed and the loss goes down on the training batches', async () => {
    const a = await tuner({ steps: 12 }).train(small);
    const b = await tuner({ steps: 12 }).train(small);
    expect(a.losses).toEqual(b.losses);
    expect(a.losses).toHaveLength(12);
    expect(a.trainableParameters).toBe(40 * 128);
    const c = await tuner({ steps: 2, seed: 1 }).train(small);
    expect(c.losses).not.toEqual(a.losses.slice(0, 2));
    // lr 0.3 on P: by step 12 the loss on the label tokens is well below where it started.
    expect(Math.min(...a.losses.slice(8))).toBeLessThan(a.losses[0]! - 1);
  });

  it('a run resumed from its checkpoint ends exactly where an uninterrupted run does', async () => {
    const whole = tuner({ steps: 4 });
    await whole.train(small);
    const ckpt = join(dir, 'resume');
    const first = tuner({ steps: 4 });
    const abort = new AbortController();
    const partial = await first.train(small, {
      checkpointDir: ckpt,
      checkpointEvery: 2,
      signal: abort.signal,
      onStep: (s) => {
        if (s.step === 2) abort.abort();
      },
    });
    expect(partial.steps).toBe(2);
    const resumed = await tuner({ steps: 4 }).train(small, { checkpointDir: ckpt, checkpointEvery: 2 });
    expect(resumed.resumedFrom).toBe(2);
    expect(resumed.steps).toBe(4);
    const w = whole.current!.params;
    const r = await (async () => {
      const t = tuner({ steps: 4 });
      await t.train(small, { checkpointDir: ckpt });
      return t.current!.params;
    })();
    expect(Array.from(r.prompt)).toEqual(Array.from(w.prompt));
    expect(Array.from(r.loraB)).toEqual(Array.from(w.loraB));
  });

  it('refuses a checkpoint of another run', async () => {
    const ckpt = join(dir, 'other');
    await tuner({ steps: 2 }).train(small, { checkpointDir: ckpt });
    await expect(tuner({ steps: 2, lrPrompt: 0.1 }).train(small, { checkpointDir: ckpt })).rejects.toThrow(
      /checkpoint .* belongs to another run/,
    );
  });
});

describe('adapters', () => {
  it('save and load as PEFT does; the loaded adapter predicts exactly as the trained one', async () => {
    const t = tuner();
    await t.train(small);
    const out = join(dir, 'adapter');
    await t.saveAdapter(out);
    const config = JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'));
    expect(config).toMatchObject({
      peft_type: 'PROMPT_TUNING_LORA',
      task_type: 'CAUSAL_LM',
      num_virtual_tokens: 25,
      token_dim: 128,
      prompt_tuning_init: 'TEXT',
      base_model_name_or_path: 'zoo:mini-lm',
      r: 12,
      lora_alpha: 8,
      max_length: 32,
    });
    const loaded = tuner();
    await loaded.loadAdapter(out);
    const inputs = parity.splits.test.slice(0, 4).map((e) => e.input);
    expect(await loaded.predictMany(inputs)).toEqual(await t.predictMany(inputs));
  });

  it('prompt tuning saves PROMPT_TUNING with prompt_embeddings only', async () => {
    const t = tuner({}, 'prompt-tuning');
    await t.train(small);
    const out = join(dir, 'pt');
    await t.saveAdapter(out);
    expect(JSON.parse(readFileSync(join(out, 'adapter_config.json'), 'utf8'))).toMatchObject({
      peft_type: 'PROMPT_TUNING',
      num_virtual_tokens: 40,
      r: 0,
    });
  });

  it('refuses an adapter made for another model (dimension mismatch), naming both', async () => {
    const out = join(dir, 'wide');
    const t = tuner();
    await t.train(small);
    await t.saveAdapter(out);
    const cfgPath = join(out, 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, token_dim: 768, base_model_name_or_path: 'gpt2' }));
    await expect(tuner().loadAdapter(out)).rejects.toThrow(
      /was made for a model with token_dim 768 \(gpt2\); zoo:mini-lm has embedding width 128/,
    );
  });

  it('refuses a corrupt adapter_model.safetensors', async () => {
    const out = join(dir, 'corrupt');
    const t = tuner();
    await t.train(small);
    await t.saveAdapter(out);
    const weights = join(out, 'adapter_model.safetensors');
    writeFileSync(weights, readFileSync(weights).subarray(0, 100));
    await expect(tuner().loadAdapter(out)).rejects.toThrow(
      /adapter_model.safetensors: not a valid safetensors file/,
    );
  });
});

describe('bad input', () => {
  it('an unknown task lists the known ones', () => {
    expect(() => loadTask('sst2')).toThrow(
      /unknown task "sst2"; the tasks are compare, parity, reuters, sentiment, spam/,
    );
  });

  it('settings naming another model than the loaded LM are refused (adapters would be mislabelled)', () => {
    expect(() => tuner({ model: 'zoo:mini-lm-t' })).toThrow(
      "PromptTuner: settings.model is zoo:mini-lm-t but the LM was loaded from zoo:mini-lm; pass model: 'zoo:mini-lm' in the settings (or load zoo:mini-lm-t)",
    );
  });

  it('a label outside the label words is refused before training', async () => {
    const bad = {
      ...small,
      train: [...small.train, { input: 'Question: Is 3 + 4 even or odd?\nAnswer:', label: 'maybe' }],
    };
    await expect(tuner().train(bad)).rejects.toThrow(
      /1 label outside the label words \(even, odd\): #24 "maybe"/,
    );
  });

  it("an input longer than s: truncated with a warning by default, refused with overflow 'error'", async () => {
    const long = {
      ...small,
      train: [
        { input: `Question: ${'seven '.repeat(40)}is it even or odd?\nAnswer:`, label: 'odd' },
        ...small.train,
      ],
    };
    const warnings: string[] = [];
    const report = await tuner({ steps: 1 }).train(long, { onWarning: (w) => warnings.push(w) });
    expect(report.truncated).toBe(1);
    expect(warnings[0]).toMatch(/1 of 25 training inputs are longer than s = 32 tokens and were truncated/);
    await expect(tuner({ steps: 1, overflow: 'error' }).train(long)).rejects.toThrow(
      /input is \d+ tokens, longer than max_length s = 32 \(overflow: 'error'\)/,
    );
  });

  it('a label outside the label words is refused when evaluating too', async () => {
    const t = tuner({ steps: 1 });
    await t.train(small);
    await expect(
      t.evaluate([
        ...parity.splits.test.slice(0, 2),
        { input: 'Question: Is 1 + 1 even?\nAnswer:', label: 'yes' },
      ]),
    ).rejects.toThrow(/evaluate: 1 label outside the label words \(even, odd\): #2 "yes"/);
  });

  it('an input longer than s at prediction: cut and flagged (truncated), or refused with overflow error', async () => {
    const t = tuner({ steps: 1 });
    await t.train(small);
    const long = `Question: ${'seven '.repeat(40)}is it even or odd?\nAnswer:`;
    const [cut, fits] = await t.predictMany([long, parity.splits.test[0]!.input]);
    expect(cut!.truncated).toBe(lm.tokenizer.encode(long, true).length - 32);
    expect(fits!.truncated).toBeUndefined();
    const report = await t.evaluate([{ input: long, label: 'odd' }, parity.splits.test[0]!]);
    expect(report.truncated).toBe(1);
    const strict = tuner({ steps: 1, overflow: 'error' });
    await strict.train(small);
    await expect(strict.predict(long)).rejects.toThrow(/longer than max_length s = 32 \(overflow: 'error'\)/);
  });

  it('an adapter whose tensors do not match its adapter_config.json is refused, naming both shapes', async () => {
    const out = join(dir, 'mismatch');
    const t = tuner();
    await t.train(small);
    await t.saveAdapter(out);
    const cfgPath = join(out, 'adapter_config.json');
    const cfg = JSON.parse(readFileSync(cfgPath, 'utf8'));
    writeFileSync(cfgPath, JSON.stringify({ ...cfg, num_virtual_tokens: 20 }));
    await expect(tuner().loadAdapter(out)).rejects.toThrow(
      /"prompt_embeddings" is \[25, 128\], adapter_config.json says \[20, 128\]/,
    );
  });

  it('a config field with a typo is refused (strict configs)', () => {
    expect(() => deptConfig.parse({ lr_prompt: 0.3 })).toThrow(/lr_prompt/);
  });
});
