// `pnpm bench:gradients`: gradients of the ViT-B/32-shaped text tower, side by side in one run — onnxruntime
// forward, the onnxruntime VJP graph (forward + backward w.r.t. inputs_embeds), the tfjs executor's forward +
// backward, one whole TPT step at C = 200 through the VJP path, and PyTorch (Debian's torch, same weights,
// same threads) for forward + backward and the TPT step. Medians; the sample counts are in the output.
// Writes results/gradients.md + gradients.json.
//
// Options: --runs N (default 5); --batch N (prompts per run, default 8); --classes C (TPT step, default 200);
// --chunks 8,32 (VJP prompts per run to try in the TPT step); --step-runs N (timed TPT steps, default 2); --no-tfjs; --no-torch; --threads N (default 2).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { VjpSession } from '@attune/backend-onnx/vjp';
import { loadOnnxGraph, selectBackend } from '@attune/backend-tfjs';
import { textFeaturesOnnx, textFeaturesVjpOnnx } from '@attune/method-tpt';
import { loadVisionLanguageModel } from '@attune/models';
import { marginalEntropy, tf } from '@attune/tensor';
import { shapedModelDir } from '@attune/zoo';
import onnxProto from 'onnx-proto';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { PACKAGE_DIR } from '../src/runner.js';

const argv = process.argv.slice(2);
const { values: args } = parseArgs({
  args: argv[0] === '--' ? argv.slice(1) : argv,
  options: {
    runs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '8' },
    classes: { type: 'string', default: '200' },
    chunks: { type: 'string', default: '8,32' },
    'step-runs': { type: 'string', default: '2' },
    threads: { type: 'string', default: '2' },
    'no-tfjs': { type: 'boolean', default: false },
    'no-torch': { type: 'boolean', default: false },
  },
});
const runs = Number(args.runs);
const B = Number(args.batch);
const C = Number(args.classes);
const threads = Number(args.threads);
const stepRuns = Number(args['step-runs']);
const shaped = shapedModelDir('clip-vit-b-32');
if (!shaped.present)
  throw new Error(`run pnpm --filter @attune/zoo zoo:shaped clip-vit-b-32 first (${shaped.dir})`);
const embedsPath = join(shaped.dir, 'onnx', 'text_model_embeds.onnx');
const L = 77;
const W = 512;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
function hwmMiB(): number {
  const line = readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM'))!;
  return Number(line.split(/\s+/)[1]) / 1024;
}
function rssMiB(): number {
  return process.memoryUsage().rss / 2 ** 20;
}
async function timed(fn: () => Promise<unknown> | unknown, n: number): Promise<number[]> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    times.push(performance.now() - start);
  }
  return times;
}

const embeds = Float32Array.from({ length: B * L * W }, (_, i) => Math.sin(i * 12.9898) * 0.02);
const eot = BigInt64Array.from({ length: B }, () => 7n);
const feeds = {
  inputs_embeds: new Tensor('float32', embeds, [B, L, W]),
  eot_index: new Tensor('int64', eot, [B]),
};
const result: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpus: cpus().length,
  cpu: cpus()[0]?.model,
  loadAverageAtStart: loadavg(),
  threads,
  batch: B,
  runs,
  stepRuns,
};

// 1. onnxruntime forward.
const options = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
const forward = await InferenceSession.create(embedsPath, options);
const fwd = await timed(() => forward.run(feeds), runs);
await forward.release();
result.ortForwardMsPerPrompt = median(fwd) / B;
result.ortForwardRuns = fwd;
console.log(`onnxruntime forward: ${(median(fwd) / B).toFixed(1)} ms/prompt`);

// 2. The VJP graph.
const before = rssMiB();
const model = onnxProto.onnx.ModelProto.decode(readFileSync(embedsPath));
const buildStart = performance.now();
const vjp = await VjpSession.create(model, {
  wrt: ['inputs_embeds'],
  outputs: ['text_embeds'],
  includeForwardOutputs: false,
  intraOpNumThreads: threads,
});
result.vjpBuildAndLoadMs = performance.now() - buildStart;
result.vjpGraph = vjp.built.report;
const cot = { text_embeds: new Tensor('float32', new Float32Array(B * 512).fill(1 / 512), [B, 512]) };
const hwmBefore = hwmMiB();
const bwd = await timed(() => vjp.run(feeds, cot), runs);
result.vjpMsPerPrompt = median(bwd) / B;
result.vjpRuns = bwd;
result.vjpOverForward = median(bwd) / median(fwd);
result.vjpSessionRssMiB = rssMiB() - before;
result.peakRssMiB = hwmMiB();
result.peakRssGrowthDuringVjpMiB = hwmMiB() - hwmBefore;
console.log(
  `onnxruntime VJP: ${(median(bwd) / B).toFixed(1)} ms/prompt (${(median(bwd) / median(fwd)).toFixed(2)}x forward); peak RSS ${hwmMiB().toFixed(0)} MiB`,
);
await vjp.release();

// 3. tfjs executor forward + backward (the path TPT used before).
if (!args['no-tfjs']) {
  await selectBackend('auto');
  const graph = await loadOnnxGraph(embedsPath);
  const x = tf.tensor(embeds, [B, L, W]);
  const e = tf.tensor(Int32Array.from(eot, Number), [B], 'int32');
  const tfRuns = await timed(
    () => {
      const { value, grads } = graph.gradients(
        { inputs_embeds: x, eot_index: e },
        ['inputs_embeds'],
        (o) => tf.mean(o.text_embeds!) as tf.Scalar,
      );
      grads.inputs_embeds!.dataSync();
      tf.dispose([value, ...Object.values(grads)]);
    },
    Math.min(runs, 2),
  );
  graph.dispose();
  tf.dispose([x, e]);
  result.tfjsBackend = tf.getBackend();
  result.tfjsForwardBackwardMsPerPrompt = median(tfRuns) / B;
  result.tfjsRuns = tfRuns;
  console.log(`tfjs (${tf.getBackend()}) forward+backward: ${(median(tfRuns) / B).toFixed(1)} ms/prompt`);
}

// 4. One TPT step at C classes through the model's onnxruntime path: text features without the tape, the
// entropy's gradient w.r.t. them, the chunked VJP into ctx.
const clip = await loadVisionLanguageModel('shaped:clip-vit-b-32', { threads });
const classNames = Array.from({ length: C }, (_, i) => `class number ${i}`);
const parts = await clip.promptParts(classNames);
const views = tf.randomNormal([6, clip.embedDim], 0, 1, 'float32', 0) as tf.Tensor2D;
const steps: Record<string, number[]> = {};
for (const chunk of args.chunks.split(',').map(Number)) {
  steps[chunk] = await timed(async () => {
    const ctx = parts.ctxInit;
    const text = await textFeaturesOnnx(clip, parts, ctx, chunk);
    const { value, grad } = tf.valueAndGrad((t: tf.Tensor) =>
      marginalEntropy(clip.logits(views, t as tf.Tensor2D)),
    )(text);
    const dctx = await textFeaturesVjpOnnx(clip, parts, ctx, grad as tf.Tensor2D, chunk);
    dctx.dataSync();
    tf.dispose([text, value, grad, dctx]);
  }, stepRuns);
  console.log(
    `TPT step at C = ${C}, ${chunk} prompts per run: ${(median(steps[chunk]!) / 1000).toFixed(2)} s`,
  );
}
result.tptStepClasses = C;
result.tptStepRunsMsByChunk = steps;
result.tptStepMsByChunk = Object.fromEntries(Object.entries(steps).map(([k, v]) => [k, median(v)]));
result.peakRssAfterTptMiB = hwmMiB();
await clip.dispose();

// 5. PyTorch on the same CPU.
if (!args['no-torch']) {
  const run = spawnSync(
    '/usr/bin/python3',
    [
      join(PACKAGE_DIR, 'bench', 'torch_gradients.py'),
      '--batch',
      String(B),
      '--runs',
      String(runs),
      '--classes',
      String(C),
      '--threads',
      String(threads),
      '--step-runs',
      String(stepRuns),
    ],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`torch_gradients.py failed: ${run.stderr}`);
  const torch = JSON.parse(run.stdout.trim().split('\n').pop()!);
  result.torch = torch;
  const bestStep = Math.min(...Object.values(result.tptStepMsByChunk as Record<string, number>));
  result.speedupVsTorchForwardBackward =
    torch.forward_backward_ms_per_prompt / (result.vjpMsPerPrompt as number);
  result.speedupVsTorchTptStep = torch.tpt_step_ms / bestStep;
  console.log(
    `torch ${torch.torch}: forward ${torch.forward_ms_per_prompt.toFixed(1)}, forward+backward ${torch.forward_backward_ms_per_prompt.toFixed(1)} ms/prompt; TPT step ${(torch.tpt_step_ms / 1000).toFixed(2)} s`,
  );
}

result.loadAverageAtEnd = loadavg();
writeFileSync(join(PACKAGE_DIR, 'results', 'gradients.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
