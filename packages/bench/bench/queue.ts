// Benchmark: samples per second with 1, 2 and 3 queue workers (BullMQ over a real redis-server, worker
// processes started with `attune worker`) against 1, 2 and 3 local workers, and the queue's overhead per
// job. Real MNIST test digits, real kNN / nearest-centroid on pixels (the harness's test fixtures).
// Run: pnpm --filter @attune/bench bench   (QUEUE_BENCH_REPEATS=3 by default; results in bench/results/)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BenchmarkMethod, ResultStore, runBenchmark } from '../src/index.js';
import { createRegistry } from '../test/fixtures/registry.js';
import { fixtureRegistrySource, removeTempDirs, tempDir, tsxExecArgv } from '../test/helpers.js';
import { killAll, startWorker, stopProcess } from '../test/queue/processes.js';
import { startRedisServer } from '../test/queue/redis-server.js';

const REPEATS = Number(process.env.QUEUE_BENCH_REPEATS ?? 3);
const WORKERS = [1, 2, 3];
const registry = createRegistry();

interface Workload {
  readonly name: string;
  readonly what: string;
  readonly methods: readonly BenchmarkMethod[];
  readonly limit: number;
}
const WORKLOADS: Workload[] = [
  {
    name: 'knn-10k',
    what: 'kNN (k = 3) over 10 000 seeded training images: a compute-bound sample',
    methods: [{ name: 'knn', config: { trainSize: 10_000 } }],
    limit: 300,
  },
  {
    name: 'centroid',
    what: 'nearest centroid: a sample that costs almost nothing, so the time is the harness and the queue',
    methods: [{ name: 'nearest-centroid' }],
    limit: 300,
  },
];

interface Measurement {
  readonly workload: string;
  readonly mode: 'local' | 'queue';
  readonly workers: number;
  readonly samples: number;
  /** Median over repeats: wall time from the first hand-out (workers ready) to the last commit. */
  readonly wallMs: number;
  readonly samplesPerSecond: number;
  /** Median over repeats of the median per-sample evaluate time, as recorded. */
  readonly evaluateMs: number;
  readonly wallRunsMs: readonly number[];
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function timeRun(
  dir: string,
  workload: Workload,
  extra: Partial<Parameters<typeof runBenchmark>[0]>,
  label: string,
): Promise<{ wallMs: number; evaluateMs: number; samples: number }> {
  const store = ResultStore.open(join(dir, `${label}.sqlite`));
  let t0: number | undefined;
  const { run, evaluated } = await runBenchmark({
    registry,
    suite: 'mnist-digits',
    methods: workload.methods,
    limit: workload.limit,
    store,
    ...extra,
    onProgress: (p) => {
      if (p.stage === 'evaluate' && t0 === undefined) t0 = performance.now();
    },
  });
  const wallMs = performance.now() - t0!;
  const evaluateMs = median(store.records(run.runId).map((r) => r.latencyMs));
  store.close();
  return { wallMs, evaluateMs, samples: evaluated };
}

async function main(): Promise<void> {
  const dir = tempDir('attune-queue-bench-');
  const redis = await startRedisServer({ aof: false });
  const results: Measurement[] = [];
  const record = (
    workload: Workload,
    mode: 'local' | 'queue',
    workers: number,
    runs: Awaited<ReturnType<typeof timeRun>>[],
  ) => {
    const wallMs = median(runs.map((r) => r.wallMs));
    const m: Measurement = {
      workload: workload.name,
      mode,
      workers,
      samples: runs[0]!.samples,
      wallMs,
      samplesPerSecond: (runs[0]!.samples / wallMs) * 1000,
      evaluateMs: median(runs.map((r) => r.evaluateMs)),
      wallRunsMs: runs.map((r) => Math.round(r.wallMs)),
    };
    results.push(m);
    console.error(
      `${m.workload} ${mode} x${workers}: ${m.samplesPerSecond.toFixed(1)} samples/s (${m.wallRunsMs.join(', ')} ms)`,
    );
  };
  let n = 0;
  try {
    for (const workload of WORKLOADS) {
      for (const workers of WORKERS) {
        const queueName = `bench-${workload.name}-${workers}`;
        const procs = await Promise.all(
          Array.from({ length: workers }, () => startWorker(redis.url, queueName)),
        );
        const queue = { queue: { url: redis.url, queueName } };
        const local =
          workers === 1
            ? {}
            : { workers, workerRegistry: fixtureRegistrySource, workerExecArgv: tsxExecArgv };
        // One unmeasured queue run first: queue workers are long-lived, so in steady state their method
        // instance is already built (local workers build theirs in every run, after the clock starts).
        await timeRun(dir, workload, queue, `warm-${n++}`);
        const localRuns = [];
        const queueRuns = [];
        // Local and queue runs alternate, so both see the same load on this shared machine.
        for (let r = 0; r < REPEATS; r++) {
          localRuns.push(await timeRun(dir, workload, local, `local-${n++}`));
          queueRuns.push(await timeRun(dir, workload, queue, `queue-${n++}`));
        }
        record(workload, 'local', workers, localRuns);
        record(workload, 'queue', workers, queueRuns);
        await Promise.all(procs.map(stopProcess));
      }
    }
  } finally {
    await killAll();
    await redis.dispose();
    removeTempDirs();
  }
  const centroid = (mode: 'local' | 'queue') =>
    results.find((r) => r.workload === 'centroid' && r.mode === mode && r.workers === 1)!;
  const perJob = (m: Measurement) => m.wallMs / m.samples - m.evaluateMs;
  const overhead = {
    queuePerJobMs: perJob(centroid('queue')),
    localInlinePerJobMs: perJob(centroid('local')),
    queueMinusInlineMs: perJob(centroid('queue')) - perJob(centroid('local')),
  };
  const machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    node: process.version,
    note: 'shared machine: other jobs were running; this benchmark ran under nice -n 10',
  };
  const out = fileURLToPath(new URL('./results/', import.meta.url));
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'queue.json'),
    `${JSON.stringify({ date: new Date().toISOString(), repeats: REPEATS, machine, workloads: WORKLOADS, results, overhead }, null, 2)}\n`,
  );
  console.log('| workload | mode | workers | samples/s | wall ms (median) | evaluate ms/sample |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const m of results) {
    console.log(
      `| ${m.workload} | ${m.mode} | ${m.workers} | ${m.samplesPerSecond.toFixed(1)} | ${Math.round(m.wallMs)} | ${m.evaluateMs.toFixed(2)} |`,
    );
  }
  console.log(
    `\nqueue overhead per job (1 worker, centroid): ${overhead.queuePerJobMs.toFixed(2)} ms beyond evaluate; ` +
      `inline: ${overhead.localInlinePerJobMs.toFixed(2)} ms; difference ${overhead.queueMinusInlineMs.toFixed(2)} ms`,
  );
}

await main();
