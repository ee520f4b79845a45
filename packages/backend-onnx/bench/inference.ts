// Benchmarks for @attune/backend-onnx: session load vs cache hit, the cost of feed checking, and batched runs
// of 64 views at 224x224 (TPT's workload) — latency and peak memory per chunk size.
// Peak memory is measured in a fresh child process per chunk size, since onnxruntime's arena keeps what it took.
import { fork } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { formatTable, measure, measureAsync } from '@attune/timing';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { checkFeeds, createOnnxBackend } from '../src/index.js';

const BENCH_MODEL = fileURLToPath(new URL('../fixtures/bench_cnn.onnx', import.meta.url));
const MLP = fileURLToPath(new URL('../fixtures/mlp.onnx', import.meta.url));
const VIEWS = 64;
const THREADS = availableParallelism();

function randomViews(n: number): Tensor {
  const data = new Float32Array(n * 3 * 224 * 224);
  // A fixed LCG: reproducible inputs without a dependency.
  let state = 12345;
  for (let i = 0; i < data.length; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = state / 2 ** 32 - 0.5;
  }
  return new Tensor('float32', data, [n, 3, 224, 224]);
}

interface ChildResult {
  readonly batchSize: number;
  readonly ms: number;
  readonly maxRssMiB: number;
}

/** In a child: load, make the views, optionally run them batched once (after a warm-up), report peak RSS. */
async function child(batchSize: number): Promise<void> {
  const backend = createOnnxBackend({ intraOpNumThreads: THREADS, log: () => {} });
  const session = await backend.load(BENCH_MODEL);
  const feeds = { pixel_values: randomViews(VIEWS) };
  let ms = 0;
  if (batchSize > 0) {
    await session.runBatched(feeds, { batchSize });
    ms = (await measureAsync(() => session.runBatched(feeds, { batchSize }), { warmup: 0, runs: 3 }))
      .medianMs;
  }
  const result: ChildResult = { batchSize, ms, maxRssMiB: process.resourceUsage().maxRSS / 1024 };
  process.send!(result);
  await backend.dispose();
}

function inChild(batchSize: number): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), ['--child', String(batchSize)]);
    proc.once('message', (m) => resolve(m as ChildResult));
    proc.once('error', reject);
    proc.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bench child for batchSize ${batchSize} exited with ${code}`));
    });
  });
}

async function main(): Promise<void> {
  console.log(`# @attune/backend-onnx benchmarks (${THREADS} intra-op threads, onnxruntime-node 1.30.0)\n`);

  // 1. Loading: a fresh session vs a cache hit (the hit still stats the file for its mtime).
  const loadBackend = createOnnxBackend({ intraOpNumThreads: THREADS, log: () => {} });
  const fresh = await measureAsync(
    async () => {
      await loadBackend.release(BENCH_MODEL);
      await loadBackend.load(BENCH_MODEL);
    },
    { warmup: 1, runs: 7 },
  );
  const hit = await measureAsync(() => loadBackend.load(BENCH_MODEL), { warmup: 3, runs: 50 });
  await loadBackend.dispose();
  console.log(
    formatTable(
      ['load bench_cnn.onnx (377 kB)', 'median ms', 'p95 ms'],
      [
        ['new session', fresh.medianMs, fresh.p95Ms],
        ['cache hit', hit.medianMs, hit.p95Ms],
      ],
    ),
  );

  // 2. Feed checking: our run() vs onnxruntime's run() on a model small enough that overhead shows.
  const backend = createOnnxBackend({ intraOpNumThreads: 1, log: () => {} });
  const mlp = await backend.load(MLP);
  const native = await InferenceSession.create(MLP, { intraOpNumThreads: 1 });
  const feeds = { features: new Tensor('float32', new Float32Array(8).fill(0.5), [1, 8]) };
  const ours = await measureAsync(() => mlp.run(feeds), { warmup: 50, runs: 500 });
  const theirs = await measureAsync(() => native.run(feeds), { warmup: 50, runs: 500 });
  // checkFeeds alone, 1000 calls per sample, reported per call.
  const checkOnly = measure(
    () => {
      for (let i = 0; i < 1000; i++) checkFeeds(mlp.info.inputs, feeds, MLP);
    },
    { warmup: 2, runs: 9 },
  );
  await native.release();
  await backend.dispose();
  console.log(
    `\n${formatTable(
      ['tiny MLP, batch 1', 'median ms', 'p95 ms'],
      [
        ['OnnxSession.run (checked feeds)', ours.medianMs, ours.p95Ms],
        ['InferenceSession.run (unchecked)', theirs.medianMs, theirs.p95Ms],
        ['checkFeeds alone', checkOnly.medianMs / 1000, checkOnly.p95Ms / 1000],
      ],
    )}`,
  );

  // 3. 64 views at 224x224 through the CNN, by chunk size; each in a fresh process for its peak memory.
  const baseline = await inChild(0);
  const rows: (string | number)[][] = [];
  for (const batchSize of [64, 32, 16, 8, 4]) {
    const r = await inChild(batchSize);
    rows.push([batchSize, r.ms, r.ms / VIEWS, r.maxRssMiB, r.maxRssMiB - baseline.maxRssMiB]);
  }
  console.log(
    `\n${formatTable(
      [
        'chunk size (64 views, 224²)',
        'ms per 64 views',
        'ms per view',
        'peak RSS MiB',
        'over load+input MiB',
      ],
      rows,
    )}`,
  );
  console.log(`\n(load + 64-view input alone: ${baseline.maxRssMiB.toFixed(0)} MiB peak RSS)`);
}

if (process.argv[2] === '--child') await child(Number(process.argv[3]));
else await main();
