// NGD and the oracle against the torch reference (scripts/make_ngd_fixture.py: the same ONNX weights in the
// recipe's MoeGPT, torch autograd, routing_oracle.py's optimiser): ω after 1 and after 10 steps ≤ 1e-4.
// And the onnxruntime VJP gradient against central finite differences of the forward graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadMoELM, type MoELM } from '@attune/models';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  C3PO,
  kernelWeights,
  loadReferences,
  nearestNeighbours,
  ORACLE_LR_MAX,
  optimiseRouting,
  type Reference,
  RoutingGradient,
  type WeightedPrompt,
} from '../src/index.js';

interface Fixture {
  question: { id: string; question: string; answer: string; options: string[] };
  layers: number[];
  base_option_logits: number[];
  base_pathway: number[];
  neighbours: string[];
  kernel: number[];
  steps: number;
  ngd: { after_1: number[]; after_10: number[]; losses: number[] };
  oracle: { after_1: number[]; after_10: number[] };
  'oracle_lr_1e-1': { lr_max: number; after_10: number[] };
}

const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/ngd-torch.json', import.meta.url), 'utf8'),
) as Fixture;
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

let lm: MoELM;
let refs: Reference[];
let gradient: RoutingGradient;
beforeAll(async () => {
  lm = await loadMoELM('zoo:mini-moe', { threads: 1 });
  refs = await loadReferences(join(ZOO_MODELS_DIR, 'mini-moe', 'tasks', 'sentiment.reference.jsonl'));
  gradient = await RoutingGradient.load(lm, { threads: 1 });
}, 120_000);
afterAll(async () => {
  await gradient?.release();
  await lm?.dispose();
});

const E = 8;
const q = fixture.question;
const neighbourItems = (): WeightedPrompt[] =>
  fixture.neighbours.map((id, i) => {
    const r = refs.find((x) => x.id === id)!;
    return {
      prompt: lm.promptOf(r.question),
      target: lm.optionTokens(r.options)[r.options.indexOf(r.answer)]!,
      weight: fixture.kernel[i]!,
    };
  });

describe('NGD / oracle vs torch (zoo:mini-moe, pinned question)', () => {
  it('starts from the same forward: option logits and base pathway of the critical layers', async () => {
    const [routed] = await lm.route([lm.promptOf(q.question)]);
    const logits = lm.optionTokens(q.options).map((t) => routed!.lastLogits[t]!);
    expect(maxDiff(logits, fixture.base_option_logits)).toBeLessThan(1e-4);
    expect(maxDiff(routed!.pathway.subarray(E), fixture.base_pathway)).toBeLessThan(1e-5);
  });

  it('picks the same neighbours and kernel weights', async () => {
    const [routed] = await lm.route([lm.promptOf(q.question)]);
    const nb = nearestNeighbours(routed!.embedding, refs, 3);
    expect(nb.map((n) => n.reference.id)).toEqual(fixture.neighbours);
    expect(maxDiff(kernelWeights(nb, 'gaussian'), fixture.kernel)).toBeLessThan(1e-4);
  });

  it('NGD: ω after 1 and after 10 steps within 1e-4 of torch, losses alike', async () => {
    const items = neighbourItems();
    const run = await optimiseRouting(
      (w) => gradient.lossAndGradient(items, fixture.layers, w),
      Float32Array.from(fixture.base_pathway),
      E,
      { steps: fixture.steps },
    );
    expect(maxDiff(run.trajectory[0]!, fixture.ngd.after_1)).toBeLessThanOrEqual(1e-4);
    expect(maxDiff(run.weights, fixture.ngd.after_10)).toBeLessThanOrEqual(1e-4);
    expect(maxDiff(run.losses, fixture.ngd.losses)).toBeLessThan(1e-4);
    // It optimises: the surrogate ends well below where it started.
    expect(run.losses.at(-1)!).toBeLessThan(run.losses[0]! * 0.8);
  });

  it('oracle: ω after 1 and after 10 steps within 1e-4 of the zoo card’s torch oracle', async () => {
    const items = [
      {
        prompt: lm.promptOf(q.question),
        target: lm.optionTokens(q.options)[q.options.indexOf(q.answer)]!,
        weight: 1,
      },
    ];
    const start = Float32Array.from(fixture.base_pathway);
    const objective = (w: Float32Array) => gradient.lossAndGradient(items, fixture.layers, w);
    const one = await optimiseRouting(objective, start, E, { steps: 1 });
    const ten = await optimiseRouting(objective, start, E, { steps: fixture.steps });
    expect(maxDiff(one.weights, fixture.oracle.after_1)).toBeLessThanOrEqual(1e-4);
    expect(maxDiff(ten.trajectory[0]!, fixture.oracle.after_1)).toBeLessThanOrEqual(1e-4);
    expect(maxDiff(ten.weights, fixture.oracle.after_10)).toBeLessThanOrEqual(1e-4);
  });

  it('C3PO variant "ngd" applies that ω; "oracle" needs the label and applies its own', async () => {
    const ngd = new C3PO(lm, refs, { variant: 'ngd', routingGradient: gradient });
    const out = await ngd.answer(q.question, q.options);
    expect(out.neighbours.map((n) => n.reference.id)).toEqual(fixture.neighbours);
    expect(maxDiff(out.routingAfter, fixture.ngd.after_10)).toBeLessThanOrEqual(1e-4);
    expect(out.passes).toBe(2 + 10);
    expect(out.gradientPasses).toBe(10);
    await ngd.dispose();
    const oracle = new C3PO(lm, refs, { variant: 'oracle', routingGradient: gradient });
    await expect(oracle.answer(q.question, q.options)).rejects.toThrow(/needs the test label/);
    // The plugin's oracle peaks at lr 1e-1 (ORACLE_LR_MAX): torch's optimise_routing at that lr.
    expect(fixture['oracle_lr_1e-1'].lr_max).toBe(ORACLE_LR_MAX);
    const o = await oracle.answer(q.question, q.options, q.answer);
    expect(maxDiff(o.routingAfter, fixture['oracle_lr_1e-1'].after_10)).toBeLessThanOrEqual(1e-4);
    // The larger step moves ω further than the paper's schedule does.
    expect(maxDiff(o.routingAfter, fixture.oracle.after_10)).toBeGreaterThan(1e-2);
    await expect(oracle.answer(q.question, q.options, 'maybe')).rejects.toThrow(
      /answer "maybe" is not one of \["positive","negative"\]/,
    );
    await oracle.dispose();
    const paperStep = new C3PO(lm, refs, { variant: 'oracle', oracleLrMax: 1e-2, routingGradient: gradient });
    const p = await paperStep.answer(q.question, q.options, q.answer);
    expect(maxDiff(p.routingAfter, fixture.oracle.after_10)).toBeLessThanOrEqual(1e-4);
    await paperStep.dispose();
  });
});

describe('routing gradient vs finite differences', () => {
  it('matches central differences of the forward graph on top-k experts of two layers', async () => {
    const items = neighbourItems();
    const omega = Float32Array.from(fixture.base_pathway);
    const { loss, gradient: g } = await gradient.lossAndGradient(items, fixture.layers, omega);
    const total = items.reduce((s, it) => s + it.weight, 0);
    const surrogate = async (w: Float32Array) => {
      const routed = await lm.route(
        items.map((it) => it.prompt),
        items.map(() => ({ layers: fixture.layers, weights: w })),
      );
      let s = 0;
      routed.forEach((r, i) => {
        let max = -Infinity;
        for (const v of r.lastLogits) max = Math.max(max, v);
        let z = 0;
        for (const v of r.lastLogits) z += Math.exp(v - max);
        s += (items[i]!.weight / total) * (Math.log(z) + max - r.lastLogits[items[i]!.target]!);
      });
      return s;
    };
    expect(Math.abs(loss - (await surrogate(omega)))).toBeLessThan(1e-5);
    const h = 1e-2; // float32 forward: smaller steps drown in rounding
    // Central differences only see the gradient away from a top-2 switch: the two largest entries of the first
    // and the last critical layer whose 2nd and 3rd weights differ by more than 2h (on the pinned question the
    // first critical layer's differ by 0.005, so ±h there would swap an expert in or out).
    const sortedOf = (k: number) =>
      Array.from(omega.subarray(k * E, (k + 1) * E))
        .map((v, e) => [v, k * E + e] as const)
        .sort((a, b) => b[0] - a[0]);
    const clear = fixture.layers
      .map((_, k) => k)
      .filter((k) => sortedOf(k)[1]![0] - sortedOf(k)[2]![0] > 2 * h);
    expect(clear.length).toBeGreaterThanOrEqual(2);
    const entries = [clear[0]!, clear.at(-1)!].flatMap((k) =>
      sortedOf(k)
        .slice(0, 2)
        .map(([, i]) => i),
    );
    for (const i of entries) {
      const up = Float32Array.from(omega);
      up[i]! += h;
      const down = Float32Array.from(omega);
      down[i]! -= h;
      const fd = ((await surrogate(up)) - (await surrogate(down))) / (2 * h);
      expect(Math.abs(fd - g[i]!)).toBeLessThan(3e-4 + 0.02 * Math.abs(fd));
    }
  });
});
