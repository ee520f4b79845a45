// Benchmark (not a test): base, ICL, soft prompt tuning on the whole reference set (pt), kernel regression,
// mode finding, the released cosine average, NGD and the oracle (an upper bound: it optimises the test label's
// own loss) on every zoo:mini-moe family. Each seed draws `--n` eval items per family (without replacement);
// accuracy is reported as mean ± std over seeds, with graph calls (gradient calls counted, one forward +
// backward each) and ms per sample. pt trains one prompt per family and seed (the seed orders its batches) on
// all of the family's references, before answering that seed's items; its training ms and steps are recorded
// once per family and seed (`ptTraining`).
//   pnpm --filter @attune/method-c3po bench -- --n 40 --seeds 0,1,2 [--k 3] [--steps 10]
//     [--families sentiment,parity] [--variants ngd,oracle] [--ngd-start base|kernel-regression] [--no-icl]
//     [--no-pt] [--pt-tokens 10] [--pt-steps 120] [--pt-lr 0.3]
//     [--layers 5] [--kernel gaussian|uniform|cosine] [--lr-max 1e-2] [--lr-min 1e-5] [--oracle-lr-max 1e-1]
//     [--out c3po.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PromptLM } from '@attune/method-dept';
import { loadMoELM } from '@attune/models';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import {
  C3PO,
  C3PO_VARIANTS,
  type C3poVariant,
  type KernelName,
  loadReferences,
  loadTasks,
  ORACLE_LR_MAX,
  PROMPT_TUNING_DEFAULTS,
  RoutingGradient,
  SoftPromptBaseline,
} from '../src/index.js';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : fallback;
};
const n = Number(arg('n', '40'));
const seeds = arg('seeds', '0,1,2').split(',').map(Number);
const k = Number(arg('k', '3'));
const steps = Number(arg('steps', '10'));
// NGD's cosine schedule (the paper's 1e-2 → 1e-5); the oracle's peak (default 1e-1, where it saturates).
const lrMax = Number(arg('lr-max', '1e-2'));
const lrMin = Number(arg('lr-min', '1e-5'));
const oracleLrMax = Number(arg('oracle-lr-max', String(ORACLE_LR_MAX)));
const criticalLayers = Number(arg('layers', '5'));
const kernel = arg('kernel', 'gaussian') as KernelName;
const ngdStart = arg('ngd-start', 'base') as 'base' | 'kernel-regression';
const withIcl = !process.argv.includes('--no-icl');
const withPt = !process.argv.includes('--no-pt');
const ptTokens = Number(arg('pt-tokens', String(PROMPT_TUNING_DEFAULTS.promptTokens)));
const ptSteps = Number(arg('pt-steps', String(PROMPT_TUNING_DEFAULTS.steps)));
const ptLr = Number(arg('pt-lr', String(PROMPT_TUNING_DEFAULTS.lr)));
const out = arg('out', 'c3po.json');
const variants = arg('variants', C3PO_VARIANTS.join(',')).split(',') as C3poVariant[];
const families = arg('families', 'sentiment,spam,topic,pos,parity,syllables,gender').split(',');
const tasks = (f: string) => join(ZOO_MODELS_DIR, 'mini-moe', 'tasks', f);

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = (seed + 1) * 2654435761;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const std = (xs: number[]) => Math.sqrt(mean(xs.map((x) => (x - mean(xs)) ** 2)));

const lm = await loadMoELM('zoo:mini-moe', { threads: 1 });
const gradient = variants.some((v) => v === 'ngd' || v === 'oracle')
  ? await RoutingGradient.load(lm, { threads: 1 })
  : undefined;
// DePT's PromptLM on the same model: its inputs-embeds entry point is cut from onnx/model.onnx (cached).
const promptLM = withPt ? await PromptLM.load(lm.source, { threads: 1 }) : undefined;
const report: Record<string, unknown> = {
  n,
  seeds,
  k,
  steps,
  lrMax,
  lrMin,
  oracleLrMax,
  ngdStart,
  criticalLayers,
  kernel,
  variants,
  ...(withPt
    ? {
        pt: { promptTokens: ptTokens, steps: ptSteps, lr: ptLr, batchSize: PROMPT_TUNING_DEFAULTS.batchSize },
      }
    : {}),
  families: {},
};
for (const family of families) {
  const refs = await loadReferences(tasks(`${family}.reference.jsonl`));
  const evalSet = await loadTasks(tasks(`${family}.eval.jsonl`));
  const methods = Object.fromEntries(
    variants.map((v) => [
      v,
      new C3PO(lm, refs, {
        variant: v,
        k,
        steps,
        lrMax,
        lrMin,
        oracleLrMax,
        ngdStart,
        criticalLayers,
        kernel,
        routingGradient: gradient,
      }),
    ]),
  );
  const acc: Record<string, number[]> = {
    base: [],
    ...(withIcl ? { icl: [] } : {}),
    ...(withPt ? { pt: [] } : {}),
    ...Object.fromEntries(variants.map((v) => [v, []])),
  };
  const ptTraining: { seed: number; ms: number; steps: number; firstLoss: number; lastLoss: number }[] = [];
  const cost: Record<string, { ms: number; passes: number; gradientPasses: number; count: number }> = {};
  /** One answered sample of `key`: its ms, graph calls and gradient calls. */
  const addCost = (key: string, ms: number, passes: number, gradientPasses: number) => {
    const c = cost[key] ?? { ms: 0, passes: 0, gradientPasses: 0, count: 0 };
    cost[key] = {
      ms: c.ms + ms,
      passes: c.passes + passes,
      gradientPasses: c.gradientPasses + gradientPasses,
      count: c.count + 1,
    };
  };
  for (const seed of seeds) {
    const items = shuffled(evalSet, seed).slice(0, n);
    const correct: Record<string, number> = {};
    const pt = promptLM
      ? new SoftPromptBaseline(lm, promptLM, { promptTokens: ptTokens, steps: ptSteps, lr: ptLr, seed })
      : undefined;
    if (pt) {
      const run = await pt.train(refs);
      // Batch losses averaged over the first and the last 10 steps.
      ptTraining.push({
        seed,
        ms: Math.round(run.ms),
        steps: run.steps,
        firstLoss: +mean(run.losses.slice(0, 10)).toFixed(4),
        lastLoss: +mean(run.losses.slice(-10)).toFixed(4),
      });
    }
    for (const it of items) {
      if (pt) {
        const res = await pt.answer(it.question, it.options);
        correct.pt = (correct.pt ?? 0) + Number(res.choice === it.answer);
        addCost('pt', res.ms, res.passes, 0);
      }
      if (withIcl) {
        const t0 = performance.now();
        const icl = await methods[variants[0]!]!.iclAnswer(it.question, it.options);
        const iclMs = performance.now() - t0;
        correct.icl = (correct.icl ?? 0) + Number(icl.choice === it.answer);
        addCost('icl', iclMs, 2, 0);
      }
      for (const v of variants) {
        // Only the oracle reads the label.
        const res = await methods[v]!.answer(it.question, it.options, v === 'oracle' ? it.answer : undefined);
        if (v === variants[0]) correct.base = (correct.base ?? 0) + Number(res.base.choice === it.answer);
        correct[v] = (correct[v] ?? 0) + Number(res.remixed.choice === it.answer);
        addCost(v, res.ms, res.passes, res.gradientPasses);
      }
    }
    for (const key of Object.keys(acc)) acc[key]!.push((correct[key] ?? 0) / items.length);
  }
  const row = Object.fromEntries(
    Object.entries(acc).map(([key, xs]) => [
      key,
      {
        accuracy: +mean(xs).toFixed(4),
        std: +std(xs).toFixed(4),
        ...(cost[key]
          ? {
              msPerSample: +(cost[key]!.ms / cost[key]!.count).toFixed(1),
              passesPerSample: cost[key]!.passes / cost[key]!.count,
              gradientPassesPerSample: cost[key]!.gradientPasses / cost[key]!.count,
            }
          : {}),
      },
    ]),
  );
  const training = withPt ? { ptTraining } : {};
  (report.families as Record<string, unknown>)[family] = { references: refs.length, ...row, ...training };
  console.log(family, JSON.stringify({ ...row, ...training }));
  mkdirSync(join(import.meta.dirname, 'results'), { recursive: true });
  writeFileSync(join(import.meta.dirname, 'results', out), `${JSON.stringify(report, null, 2)}\n`);
}
await gradient?.release();
await promptLM?.dispose();
await lm.dispose();
