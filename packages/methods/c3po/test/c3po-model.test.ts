import { join } from 'node:path';
import { loadMoELM, type MoELM } from '@attune/models';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { C3PO, loadReferences, loadTasks, type Reference } from '../src/index.js';

const tasks = (name: string) => join(ZOO_MODELS_DIR, 'mini-moe', 'tasks', name);
let lm: MoELM;
let refs: Reference[];
beforeAll(async () => {
  lm = await loadMoELM('zoo:mini-moe', { threads: 1 });
  refs = await loadReferences(tasks('sentiment.reference.jsonl'));
});
afterAll(() => lm?.dispose());

describe('C3PO on zoo:mini-moe', () => {
  it('keeps only correctly answered references, each with a pathway of the model', () => {
    expect(refs.length).toBeGreaterThan(10);
    for (const r of refs) expect(r.pathway.length).toBe(lm.numLayers * lm.numExperts);
  });

  it('re-mixes the last 5 layers from 3 neighbours, reporting routing before and after', async () => {
    const [item] = await loadTasks(tasks('sentiment.eval.jsonl'));
    for (const variant of ['kernel-regression', 'mode-finding', 'cosine-average'] as const) {
      const c3po = new C3PO(lm, refs, { variant });
      const out = await c3po.answer(item!.question, item!.options);
      expect(out.neighbours).toHaveLength(3);
      for (const n of out.neighbours) expect(n.similarity).toBeLessThanOrEqual(0.95);
      expect(out.layers).toEqual([1, 2, 3, 4, 5]);
      expect(out.routingBefore.length).toBe(48);
      expect(out.routingAfter.length).toBe(40);
      expect(item!.options).toContain(out.remixed.choice);
      if (variant === 'kernel-regression') {
        expect(out.alpha).toBeGreaterThanOrEqual(0);
        expect(out.passes).toBe(2 + 6);
      } else expect(out.passes).toBe(2);
    }
  });

  it('with alpha fixed at 1 (the base pathway) answers exactly as the base model', async () => {
    const items = (await loadTasks(tasks('sentiment.eval.jsonl'))).slice(0, 4);
    const c3po = new C3PO(lm, refs, { alphaGrid: [1] });
    for (const it of items) {
      const out = await c3po.answer(it.question, it.options);
      for (const [i, v] of out.base.logits.entries()) expect(out.remixed.logits[i]).toBeCloseTo(v, 4);
    }
  });

  it('rejects an empty reference set and references from another model', () => {
    expect(() => new C3PO(lm, [])).toThrow(/reference set is empty/);
    const alien = { ...refs[0]!, pathway: new Float32Array(64 * 16) };
    expect(() => new C3PO(lm, [alien])).toThrow(
      /pathway has 1024 values, the model routes 6 layers × 8 experts = 48; the references come from another model/,
    );
    const nan = {
      ...refs[0]!,
      pathway: Float32Array.from(refs[0]!.pathway, (v, i) => (i === 3 ? Number.NaN : v)),
    };
    expect(() => new C3PO(lm, [nan])).toThrow(/routing weight 3 of layer 0 is NaN/);
    const shortEmbedding = { ...refs[0]!, embedding: new Float32Array(5) };
    expect(() => new C3PO(lm, [shortEmbedding])).toThrow(/embedding has 5 values/);
  });

  it('rejects an unknown variant and a gradient source it cannot use, naming the choices', () => {
    expect(() => new C3PO(lm, refs, { variant: 'ngd2' as never })).toThrow(
      /unknown C3PO variant "ngd2"; expected one of kernel-regression, mode-finding, cosine-average, ngd, oracle/,
    );
    expect(() => new C3PO(lm, refs, { variant: 'ngd', gradients: 'tfjs' as never })).toThrow(
      /gradients must be "auto" or "onnx"/,
    );
  });
});
