// Sampling throughput of CausalLM.generate against a bare onnxruntime-node decode loop with a key/value
// cache on the same model, prompts and batch: new tokens per second, temperature 1, 64 new tokens per row
// with no early stop (stopTokens: []), median of several runs. The two are run alternately so drifting
// load on a shared machine hits both alike. Then, with early stops, the cost of dropping finished rows
// from the batch against keeping them. Not a test: `pnpm --filter @attune/models bench`, or e.g.
//   pnpm --filter @attune/models bench -- --rows 1,16,64 --tokens 64 --runs 7 --threads 1,2
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRng } from '@attune/tensor';
import { formatTable, summarize } from '@attune/timing';
import { type CausalLMModelConfig, resolveModel } from '@attune/zoo';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { DROP_FINISHED_SHARE, generateBatch } from '../src/batched-generation.js';
import { loadCausalLM, type OnnxCausalLM } from '../src/index.js';
import { resolveGenerateOptions } from '../src/lm-input-checks.js';
import { heldoutPrompts } from '../test/lm-helpers.js';

const { values } = parseArgs({
  // pnpm forwards the `--` of `pnpm bench -- --runs 7`.
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    model: { type: 'string', default: 'zoo:mini-lm' },
    rows: { type: 'string', default: '1,16,64' },
    tokens: { type: 'string', default: '64' },
    runs: { type: 'string', default: '7' },
    threads: { type: 'string', default: [...new Set([1, availableParallelism()])].join(',') },
    'early-stop-rows': { type: 'string', default: '64' },
  },
});
const batchSizes = values.rows.split(',').map(Number);
const newTokens = Number(values.tokens);
const runs = Number(values.runs);
const threadCounts = values.threads.split(',').map(Number);
const RESULTS = fileURLToPath(new URL('./results/causal-lm-throughput.md', import.meta.url));

const resolved = await resolveModel(values.model);
const config = resolved.config as CausalLMModelConfig;
const lmOneThread = (await loadCausalLM(values.model, { threads: 1 })) as OnnxCausalLM;

/**
 * The baseline: what one writes against onnxruntime directly. Left-padded prefill, then one token per row
 * per call with the presents fed back as the past, softmax sampling with Math.random. No input checks,
 * no per-row random streams, no log-probs, no dropping of finished rows (none finish here).
 */
async function bareLoop(bare: InferenceSession, prefixes: readonly number[][]): Promise<number> {
  const rows = prefixes.length;
  const width = Math.max(...prefixes.map((p) => p.length));
  const pad = prefixes.map((p) => width - p.length);
  const ids = new BigInt64Array(rows * width).fill(BigInt(config.padTokenId));
  const positions = new BigInt64Array(rows * width);
  prefixes.forEach((p, r) => {
    p.forEach((id, i) => {
      ids[r * width + pad[r]! + i] = BigInt(id);
      positions[r * width + pad[r]! + i] = BigInt(i);
    });
  });
  const nextPosition = prefixes.map((p) => p.length);
  const past: Record<string, Tensor> = {};
  for (let l = 0; l < config.numLayers; l++) {
    for (const kv of ['key', 'value']) {
      past[`past_key_values.${l}.${kv}`] = new Tensor('float32', new Float32Array(0), [
        rows,
        config.numKvHeads,
        0,
        config.headDim,
      ]);
    }
  }
  const mask = (total: number) => {
    const m = new BigInt64Array(rows * total).fill(1n);
    for (let r = 0; r < rows; r++) m.fill(0n, r * total, r * total + pad[r]!);
    return new Tensor('int64', m, [rows, total]);
  };
  let out = await bare.run({
    input_ids: new Tensor('int64', ids, [rows, width]),
    attention_mask: mask(width),
    position_ids: new Tensor('int64', positions, [rows, width]),
    ...past,
  });
  let fed = width;
  let total = width;
  const weights = new Float64Array(config.vocabSize);
  let sampled = 0;
  for (let step = 0; step < newTokens; step++) {
    const logits = out.logits!.data as Float32Array;
    const next = new BigInt64Array(rows);
    for (let r = 0; r < rows; r++) {
      const offset = (r * fed + fed - 1) * config.vocabSize;
      let max = Number.NEGATIVE_INFINITY;
      for (let v = 0; v < config.vocabSize; v++) max = Math.max(max, logits[offset + v]!);
      let sum = 0;
      for (let v = 0; v < config.vocabSize; v++) {
        weights[v] = Math.exp(logits[offset + v]! - max);
        sum += weights[v]!;
      }
      let u = Math.random() * sum;
      let token = config.vocabSize - 1;
      for (let v = 0; v < config.vocabSize; v++) {
        u -= weights[v]!;
        if (u < 0) {
          token = v;
          break;
        }
      }
      next[r] = BigInt(token);
      sampled++;
    }
    if (step === newTokens - 1) break;
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', next, [rows, 1]),
      attention_mask: mask(total + 1),
      position_ids: new Tensor(
        'int64',
        BigInt64Array.from(nextPosition, (p) => BigInt(p)),
        [rows, 1],
      ),
    };
    for (let r = 0; r < rows; r++) nextPosition[r]! += 1;
    for (const name of Object.keys(past)) feeds[name] = out[name.replace('past_key_values.', 'present.')]!;
    out = await bare.run(feeds);
    fed = 1;
    total += 1;
  }
  return sampled;
}

async function adapter(lm: OnnxCausalLM, prefixes: readonly number[][]): Promise<number> {
  const gens = await lm.generate(prefixes, {
    maxNewTokens: newTokens,
    temperature: 1,
    stopTokens: [],
    seed: 0,
  });
  return gens.reduce((s, g) => s + g.tokens.length, 0);
}

/**
 * One timed call, after a full garbage collection (the bench script runs node with --expose-gc): each
 * loop allocates a few GB of cache tensors per run, and without this one run's garbage is collected during
 * the next run, which may be the other contender's.
 */
async function timed(fn: () => Promise<number>): Promise<{ ms: number; tokens: number }> {
  (globalThis as { gc?: () => void }).gc?.();
  const t0 = performance.now();
  const tokens = await fn();
  return { ms: performance.now() - t0, tokens };
}

const template = config.promptTemplate ?? '{question}';
const allPrompts = heldoutPrompts(Math.max(...batchSizes), template).map((p) => lmOneThread.encode(p));
const table: (string | number)[][] = [];
console.log(
  `# CausalLM.generate vs a bare onnxruntime-node loop (${values.model}, ${newTokens} new tokens per row, T = 1, ` +
    `median of ${runs})\n`,
);
for (const threads of threadCounts) {
  const lm = (await loadCausalLM(values.model, { threads })) as OnnxCausalLM;
  const bare = await InferenceSession.create(resolved.files.decoder!.path, {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  for (const rows of batchSizes) {
    const prefixes = allPrompts.slice(0, rows);
    for (let w = 0; w < 2; w++) {
      await adapter(lm, prefixes);
      await bareLoop(bare, prefixes);
    }
    const ours: number[] = [];
    const theirs: number[] = [];
    for (let run = 0; run < runs; run++) {
      const a = await timed(() => adapter(lm, prefixes));
      const b = await timed(() => bareLoop(bare, prefixes));
      if (a.tokens !== rows * newTokens || b.tokens !== rows * newTokens) {
        throw new Error(
          `expected ${rows * newTokens} new tokens, got ${a.tokens} (adapter) and ${b.tokens} (bare)`,
        );
      }
      ours.push(a.ms);
      theirs.push(b.ms);
    }
    const oursMs = summarize(ours).medianMs;
    const theirsMs = summarize(theirs).medianMs;
    const tokens = rows * newTokens;
    const row = [
      threads,
      rows,
      Math.round((tokens / oursMs) * 1000),
      Math.round((tokens / theirsMs) * 1000),
      `${((100 * theirsMs) / oursMs).toFixed(1)} %`,
      oursMs,
      theirsMs,
    ];
    table.push(row);
    console.log(
      `threads ${threads}, rows ${rows}: adapter ${row[2]} tokens/s, bare ${row[3]} tokens/s (${row[4]})`,
    );
  }
  await Promise.all([lm.dispose(), bare.release()]);
}

// 2. Early stops: rows end at their own EOS (default stop tokens). Dropping finished rows from the batch
// (the default: once they are DROP_FINISHED_SHARE of it) against never dropping them and dropping at every
// finish. Same rows, seed and samples in all three; only the batch bookkeeping differs. One intra-op
// thread, so this process's CPU time measures the work done even when other jobs load the machine.
const earlyRows = Number(values['early-stop-rows']);
const earlyPrefixes = heldoutPrompts(earlyRows, template).map((p) => lmOneThread.encode(p));
const earlyOptions = resolveGenerateOptions(
  { maxNewTokens: 96, temperature: 1, seed: 0 },
  { stopTokens: [config.eosTokenId] },
  { source: values.model, vocabSize: config.vocabSize, contextLength: config.contextLength },
);
const earlyRun = (share: number) =>
  generateBatch(
    lmOneThread.session,
    lmOneThread.layout,
    config.padTokenId,
    earlyPrefixes.map((prefix, index) => ({ index, prefix })),
    earlyOptions,
    createRng(0),
    () => {},
    share,
  );
const policies: [string, number][] = [
  [
    `drop once finished rows are ${(100 * DROP_FINISHED_SHARE).toFixed(1)} % of the batch (default)`,
    DROP_FINISHED_SHARE,
  ],
  ['never drop (finished rows ride along)', Number.POSITIVE_INFINITY],
  ['drop at every finish', 0],
];
const earlySamples = policies.map(() => [] as number[]);
const earlyCpu = policies.map(() => [] as number[]);
let lengths: number[] = [];
for (let run = -1; run < runs; run++) {
  for (const [k, [, share]] of policies.entries()) {
    (globalThis as { gc?: () => void }).gc?.();
    const t0 = performance.now();
    const cpu0 = process.cpuUsage();
    const gens = await earlyRun(share);
    const cpu = process.cpuUsage(cpu0);
    if (run >= 0) {
      earlySamples[k]!.push(performance.now() - t0);
      earlyCpu[k]!.push((cpu.user + cpu.system) / 1000);
    }
    lengths = gens.map((g) => g.tokens.length);
  }
}
await lmOneThread.dispose();
const earlyTokens = lengths.reduce((a, b) => a + b, 0);
const sortedLengths = [...lengths].sort((a, b) => a - b);
const earlyTable = policies.map(([name], k) => {
  const ms = summarize(earlySamples[k]!).medianMs;
  return [name, ms, summarize(earlyCpu[k]!).medianMs, Math.round((earlyTokens / ms) * 1000)];
});
const earlyHeader = ['policy', 'wall ms (median)', 'CPU ms (median)', 'tokens/s'];
const earlyNote =
  `${earlyRows} rows, up to 96 new tokens at T = 1, stopping at EOS: ${earlyTokens} new tokens in all, ` +
  `per row min ${sortedLengths[0]} / median ${sortedLengths[Math.floor(sortedLengths.length / 2)]} / max ${sortedLengths.at(-1)}; 1 intra-op thread; median of ${runs} runs, the three policies alternating.`;
console.log(`\nEarly stops (${earlyNote})\n${formatTable(earlyHeader, earlyTable)}`);

const header = [
  'intra-op threads',
  'rows',
  'CausalLM.generate tokens/s',
  'bare ORT loop tokens/s',
  'adapter / bare',
  'adapter ms (median)',
  'bare ms (median)',
];
const text = [
  '# CausalLM sampling throughput',
  '',
  `Model \`${values.model}\` (${config.numLayers} layers, width ${config.hiddenSize}, vocabulary ${config.vocabSize}); ` +
    `held-out arithmetic prompts (left-padded, ${Math.min(...allPrompts.map((p) => p.length))}–${Math.max(...allPrompts.map((p) => p.length))} tokens); ` +
    `${newTokens} new tokens per row at temperature 1 with \`stopTokens: []\` (every row runs to the end); ` +
    `tokens/s = rows × ${newTokens} / wall time of the whole call (prefill included); median of ${runs} runs, ` +
    'adapter and bare loop alternating after 2 warm-up runs each, a full garbage collection before every timed run.',
  '',
  `onnxruntime-node 1.30.0, cpu; ${availableParallelism()} cores, load average ` +
    `${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} at the end (other jobs share this machine); ${new Date().toISOString().slice(0, 10)}.`,
  '',
  formatTable(header, table),
  '',
  'The bare loop is the minimum: onnxruntime calls, left-padded prefill, presents fed back as the past, ' +
    'softmax sampling with `Math.random`. The adapter adds feed checks per call, a seeded random stream per ' +
    'row, log-probabilities, stop/context bookkeeping and the row-dropping machinery (idle here).',
  '',
  '## Dropping finished rows',
  '',
  earlyNote,
  '',
  formatTable(earlyHeader, earlyTable),
  '',
  'The same samples in all three (per-row random streams); only the batch bookkeeping differs. Dropping copies ' +
    'the remaining rows of the cache once, so dropping at every single finish pays that copy too often, and ' +
    'never dropping keeps computing finished rows to the end.',
  '',
].join('\n');
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(RESULTS, text);
console.log(`\n${formatTable(header, table)}\n\nwritten to ${RESULTS}`);
