// `pnpm bench:gradients`: gradients of the ViT-B/32-shaped text tower, side by side in one run — onnxruntime
// forward, the onnxruntime VJP graph (forward + backward w.r.t. inputs_embeds), the tfjs executor's forward +
// backward, one whole TPT step at C = 200 through the VJP path, and PyTorch (Debian's torch, same weights,
// same threads) for forward + backward and the TPT step. Each at CLIP's full 77 tokens (as TPT's code runs
// every prompt) and at the prompts cut after their last end token (attune's default for a causal tower, see
// @attune/models padding-check.ts), torch included, so both comparisons are like for like. Medians; the
// sample counts are in the output. Writes results/gradients.json.
//
// Options: --runs N (default 5); --batch N (prompts per run, default 8); --classes C (TPT step, default 200);
// --chunks 32,200 (VJP prompts per run to try in the TPT step on cut prompts); --chunks-full 32 (at 77 tokens); --step-runs N (timed TPT steps, default 2); --no-tfjs; --no-torch; --threads N (default 2).
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
    chunks: { type: 'string', default: '32,200' },
    'chunks-full': { type: 'string', default: '32' },
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
const FULL = 77;
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

function promptFeeds(L: number) {
  const embeds = Float32Array.from({ length: B * L * W }, (_, i) => Math.sin(i * 12.9898) * 0.02);
  const eot = BigInt64Array.from({ length: B }, () => BigInt(Math.min(7, L - 1)));
  return {
    embeds,
    eot,
    feeds: {
      inputs_embeds: new Tensor('float32', embeds, [B, L, W]),
      eot_index: new Tensor('int64', eot, [B]),
    },
  };
}
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

// The length attune's TPT runs these prompts at: promptParts cuts after the batch's last end token.
const clip = await loadVisionLanguageModel('shaped:clip-vit-b-32', { threads });
const classNames = Array.from({ length: C }, (_, i) => `class number ${i}`);
const partsByPadding = {
  full: await clip.promptParts(classNames, { padding: 'full' }),
  cut: await clip.promptParts(classNames),
};
const CUT = partsByPadding.cut.length;
result.paddingCheck = clip.paddingCheck;
console.log(`prompts cut after EOT: ${CUT} of ${FULL} tokens (${clip.backends.textPadding})`);

// 1-2. onnxruntime forward and the VJP graph, at both lengths.
const options = { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const };
const onnxModel = onnxProto.onnx.ModelProto.decode(readFileSync(embedsPath));
const rssBeforeVjp = rssMiB();
const buildStart = performance.now();
const vjp = await VjpSession.create(onnxModel, {
  wrt: ['inputs_embeds'],
  outputs: ['text_embeds'],
  includeForwardOutputs: false,
  intraOpNumThreads: threads,
});
result.vjpBuildAndLoadMs = performance.now() - buildStart;
result.vjpGraph = vjp.built.report;
result.vjpSessionRssMiB = rssMiB() - rssBeforeVjp;
const forward = await InferenceSession.create(embedsPath, options);
const byLength: Record<string, Record<string, unknown>> = {};
for (const L of [FULL, CUT]) {
  const { feeds } = promptFeeds(L);
  const fwd = await timed(() => forward.run(feeds), runs);
  const cot = { text_embeds: new Tensor('float32', new Float32Array(B * 512).fill(1 / 512), [B, 512]) };
  const hwmBefore = hwmMiB();
  const bwd = await timed(() => vjp.run(feeds, cot), runs);
  byLength[L] = {
    ortForwardMsPerPrompt: median(fwd) / B,
    ortForwardRuns: fwd,
    vjpMsPerPrompt: median(bwd) / B,
    vjpRuns: bwd,
    vjpOverForward: median(bwd) / median(fwd),
    peakRssGrowthDuringVjpMiB: hwmMiB() - hwmBefore,
  };
  console.log(
    `L = ${L}: onnxruntime forward ${(median(fwd) / B).toFixed(1)} ms/prompt, VJP ${(median(bwd) / B).toFixed(1)} ms/prompt (${(median(bwd) / median(fwd)).toFixed(2)}x forward)`,
  );
}
await forward.release();
await vjp.release();
// The headline figures at 77 tokens, as before (the comparison).
Object.assign(result, {
  ortForwardMsPerPrompt: byLength[FULL]!.ortForwardMsPerPrompt,
  vjpMsPerPrompt: byLength[FULL]!.vjpMsPerPrompt,
  vjpOverForward: byLength[FULL]!.vjpOverForward,
  byLength,
  peakRssMiB: hwmMiB(),
});
const { embeds, eot } = promptFeeds(FULL);
const L = FULL;

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
// entropy's gradient w.r.t. them, the chunked VJP into ctx — at 77 tokens and cut after EOT.
const views = tf.randomNormal([6, clip.embedDim], 0, 1, 'float32', 0) as tf.Tensor2D;
const steps: Record<string, Record<string, number[]>> = { full: {}, cut: {} };
for (const padding of ['full', 'cut'] as const) {
  const parts = partsByPadding[padding];
  // 200 prompts of 77 tokens in one VJP run need more memory than this machine has; cut prompts fit.
  const chunks = (padding === 'full' ? args['chunks-full'] : args.chunks).split(',').map(Number);
  for (const chunk of chunks) {
    steps[padding]![chunk] = await timed(async () => {
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
      `TPT step at C = ${C}, L = ${parts.length}, ${chunk} prompts per run: ${(median(steps[padding]![chunk]!) / 1000).toFixed(2)} s`,
    );
  }
}
const medians = (m: Record<string, number[]>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, median(v)]));
result.tptStepClasses = C;
result.tptStepLengths = { full: FULL, cut: CUT };
result.tptStepRunsMsByChunk = steps;
result.tptStepMsByChunk = { full: medians(steps.full!), cut: medians(steps.cut!) };
result.peakRssAfterTptMiB = hwmMiB();
for (const parts of Object.values(partsByPadding)) parts.dispose();
await clip.dispose();

// 5. PyTorch on the same CPU, at both lengths.
if (!args['no-torch']) {
  const torchAt = (length: number) => {
    const run = spawnSync(
      '/usr/bin/python3',
      [
        join(PACKAGE_DIR, 'bench', 'torch_gradients.py'),
        ...['--batch', String(B), '--runs', String(runs), '--classes', String(C)],
        ...['--threads', String(threads), '--step-runs', String(stepRuns), '--length', String(length)],
      ],
      { encoding: 'utf8' },
    );
    if (run.status !== 0) throw new Error(`torch_gradients.py failed: ${run.stderr}`);
    const torch = JSON.parse(run.stdout.trim().split('\n').pop()!);
    console.log(
      `torch ${torch.torch}, L = ${length}: forward ${torch.forward_ms_per_prompt.toFixed(1)}, forward+backward ${torch.forward_backward_ms_per_prompt.toFixed(1)} ms/prompt; TPT step ${(torch.tpt_step_ms / 1000).toFixed(2)} s`,
    );
    return torch;
  };
  const torch = torchAt(FULL);
  const torchCut = torchAt(CUT);
  result.torch = torch;
  result.torchCut = torchCut;
  const best = (m: Record<string, number>) => Math.min(...Object.values(m));
  const stepMs = result.tptStepMsByChunk as { full: Record<string, number>; cut: Record<string, number> };
  result.speedupVsTorchForwardBackward =
    torch.forward_backward_ms_per_prompt / (result.vjpMsPerPrompt as number);
  result.speedupVsTorchForwardBackwardCut =
    torchCut.forward_backward_ms_per_prompt / (byLength[CUT]!.vjpMsPerPrompt as number);
  // attune's default step (cut) against TPT's code (77 tokens); and like for like at each length.
  result.speedupVsTorchTptStep = torch.tpt_step_ms / best(stepMs.cut);
  result.speedupVsTorchTptStepBothFull = torch.tpt_step_ms / best(stepMs.full);
  result.speedupVsTorchTptStepBothCut = torchCut.tpt_step_ms / best(stepMs.cut);
}

result.loadAverageAtEnd = loadavg();
writeFileSync(join(PACKAGE_DIR, 'results', 'gradients.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(JSON.stringify(result, null, 2));
