// Forward and forward + input-gradient latency of the same ONNX models on onnxruntime-node and on each tfjs
// backend available here. onnxruntime has no gradients: its forward time is the bar the tfjs executor is
// measured against. Medians (and p95) of several runs after warm-up.
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { tf } from '@attune/tensor';
import { formatTable, measure, measureAsync, type TimingSummary } from '@attune/timing';
import * as ort from 'onnxruntime-node';
import { type BackendName, loadOnnxGraph, selectBackend } from '../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));

/** A seeded LCG: reproducible inputs without a dependency. */
function values(count: number, seed: number, scale = 0.5): Float32Array {
  const data = new Float32Array(count);
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    data[i] = scale * (state / 2 ** 32 - 0.5) * 2;
  }
  return data;
}

interface Input {
  readonly dtype: 'float32' | 'int64';
  readonly shape: number[];
  readonly data: Float32Array | number[];
}

interface BenchCase {
  readonly label: string;
  readonly file: string;
  readonly inputs: Record<string, Input>;
  /** The input gradients are taken with respect to. */
  readonly wrt: string;
  /** The output a scalar loss (sum of squares) is built from. */
  readonly lossOutput: string;
}

function gpt2Inputs(batch: number, sequence: number): Record<string, Input> {
  const inputs: Record<string, Input> = {
    inputs_embeds: { dtype: 'float32', shape: [batch, sequence, 32], data: values(batch * sequence * 32, 3) },
    attention_mask: { dtype: 'int64', shape: [batch, sequence], data: new Array(batch * sequence).fill(1) },
    position_ids: {
      dtype: 'int64',
      shape: [batch, sequence],
      data: Array.from({ length: batch * sequence }, (_, i) => i % sequence),
    },
  };
  for (const layer of [0, 1]) {
    for (const kind of ['key', 'value']) {
      inputs[`past_key_values.${layer}.${kind}`] = { dtype: 'float32', shape: [batch, 4, 0, 8], data: [] };
    }
  }
  return inputs;
}

const CASES: BenchCase[] = [
  {
    label: 'CLIP-shaped text tower (77 tok, w64, 4 layers) x8 prompts',
    file: 'bench_clip_text_embeds.onnx',
    inputs: {
      inputs_embeds: { dtype: 'float32', shape: [8, 77, 64], data: values(8 * 77 * 64, 1) },
      eot_index: { dtype: 'int64', shape: [8], data: [9, 12, 15, 20, 30, 40, 60, 76] },
    },
    wrt: 'inputs_embeds',
    lossOutput: 'text_embeds',
  },
  {
    label: 'GPT-2-style decoder (2 layers) 4 x 32 tokens',
    file: 'gpt2_lm_embeds.onnx',
    inputs: gpt2Inputs(4, 32),
    wrt: 'inputs_embeds',
    lossOutput: 'logits',
  },
  {
    label: 'ViT block 8 x 3x32x32',
    file: 'vit_block.onnx',
    inputs: {
      pixel_values: { dtype: 'float32', shape: [8, 3, 32, 32], data: values(8 * 3 * 32 * 32, 2, 1) },
    },
    wrt: 'pixel_values',
    lossOutput: 'logits',
  },
];

const TIMING = { warmup: 3, runs: 15 };
const ms = (t: TimingSummary) => `${t.medianMs.toFixed(2)} (p95 ${t.p95Ms.toFixed(2)})`;

async function onnxruntimeRow(c: BenchCase, threads: number): Promise<string[]> {
  const session = await ort.InferenceSession.create(fixture(c.file), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
  });
  const feeds = Object.fromEntries(
    Object.entries(c.inputs).map(([name, input]) => [
      name,
      input.dtype === 'int64'
        ? new ort.Tensor(
            'int64',
            BigInt64Array.from(input.data as number[], (v) => BigInt(v)),
            input.shape,
          )
        : new ort.Tensor('float32', Float32Array.from(input.data), input.shape),
    ]),
  );
  const forward = await measureAsync(() => session.run(feeds), TIMING);
  await session.release();
  return ['onnxruntime-node 1.30.0', 'cpu EP', String(threads), ms(forward), 'n/a (no gradients)'];
}

async function tfjsRow(c: BenchCase, backend: BackendName): Promise<string[]> {
  const choice = await selectBackend(backend);
  const graph = await loadOnnxGraph(fixture(c.file));
  const feeds = Object.fromEntries(
    Object.entries(c.inputs).map(([name, input]) => [
      name,
      tf.tensor(Array.from(input.data), input.shape, input.dtype === 'int64' ? 'int32' : 'float32'),
    ]),
  );
  const loss = (outputs: Record<string, tf.Tensor>) => tf.sum(tf.square(outputs[c.lossOutput]!)) as tf.Scalar;
  const forward = measure(() => {
    const outputs = graph.run(feeds, [c.lossOutput]);
    // Read the result back so asynchronous backends are timed to completion too.
    outputs[c.lossOutput]!.dataSync();
    tf.dispose(Object.values(outputs));
  }, TIMING);
  const withGradient = measure(() => {
    const { value, grads } = graph.gradients(feeds, [c.wrt], loss, [c.lossOutput]);
    grads[c.wrt]!.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  }, TIMING);
  graph.dispose();
  tf.dispose(Object.values(feeds));
  return [
    `tfjs 4.22.0 (${choice.name})`,
    choice.tfBackend,
    String(choice.threads ?? '?'),
    ms(forward),
    ms(withGradient),
  ];
}

const available = availableParallelism();
const threadCounts = [...new Set([1, available])];
console.log(
  `backend-tfjs benchmark: ${available} cores, Node ${process.version}; times in ms, median (p95) of ${TIMING.runs} runs\n`,
);
for (const c of CASES) {
  const rows: string[][] = [];
  for (const threads of threadCounts) rows.push(await onnxruntimeRow(c, threads));
  for (const backend of ['wasm', 'cpu'] as const) rows.push(await tfjsRow(c, backend));
  console.log(`## ${c.label}\n`);
  console.log(formatTable(['runtime', 'backend', 'threads', 'forward', 'forward + input gradient'], rows));
  console.log();
}
