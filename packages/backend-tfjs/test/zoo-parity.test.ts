import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tf } from '@attune/tensor';
import { describe, expect, it } from 'vitest';
import { type BackendName, loadOnnxGraph, selectBackend, type TensorInfo } from '../src/index.js';
import { expectParity } from './helpers/compare.js';
import { type FeedSpecs, referenceOutputs, tfFeeds } from './helpers/feeds.js';
import { normal, randomInts, seededRandom } from './helpers/random.js';

/** Models the zoo package ships (trained by the project); every one must run here, op for op. */
const ZOO_MODELS_DIR = fileURLToPath(new URL('../../zoo/models/', import.meta.url));

function findOnnxFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return findOnnxFiles(path);
    return entry.name.endsWith('.onnx') ? [path] : [];
  });
}

/** vocab_size from a config.json next to the model or one folder up (the Hugging Face layout). */
function vocabSize(modelPath: string): number | undefined {
  for (const dir of [dirname(modelPath), dirname(dirname(modelPath))]) {
    const config = join(dir, 'config.json');
    if (!existsSync(config)) continue;
    const parsed = JSON.parse(readFileSync(config, 'utf8')) as Record<string, unknown>;
    const text = (parsed.text_config ?? {}) as Record<string, unknown>;
    const size = parsed.vocab_size ?? text.vocab_size;
    if (typeof size === 'number') return size;
  }
  return undefined;
}

const PAST = 2;
const SEQUENCE = 5;

/** A size for a symbolic dimension, from its conventional name. */
function dimSize(name: string): number {
  if (/past/i.test(name)) return PAST;
  if (/total|all_seq/i.test(name)) return PAST + SEQUENCE;
  if (/seq|length|token/i.test(name)) return SEQUENCE;
  return 2;
}

/** Plausible inputs for an exported model, from the conventional Hugging Face input names. */
function zooInputs(inputs: readonly TensorInfo[], vocab: number | undefined, seed: number): FeedSpecs {
  const random = seededRandom(seed);
  const specs: FeedSpecs = {};
  for (const input of inputs) {
    const shape = input.shape.map((d) => (typeof d === 'number' ? d : dimSize(d ?? '')));
    const size = shape.reduce((a, b) => a * b, 1);
    const last = shape[shape.length - 1] ?? 1;
    if (input.dtype === 'bool') {
      specs[input.name] = { dtype: 'bool', shape, data: new Array(size).fill(1) };
    } else if (input.dtype.startsWith('float')) {
      specs[input.name] = { dtype: 'float32', shape, data: normal(random, size, 0.5) };
    } else {
      let data: number[];
      if (/input_ids/.test(input.name)) data = randomInts(random, size, 0, vocab ?? 2);
      else if (/attention_mask/.test(input.name)) data = new Array(size).fill(1);
      else if (/position_ids/.test(input.name))
        data = Array.from({ length: size }, (_, i) => (i % last) + PAST);
      else if (/eot|index/.test(input.name)) data = new Array(size).fill(SEQUENCE - 1);
      else data = new Array(size).fill(0);
      specs[input.name] = { dtype: 'int64', shape, data };
    }
  }
  return specs;
}

const MODELS = findOnnxFiles(ZOO_MODELS_DIR);
const BACKENDS: readonly BackendName[] = ['wasm', 'cpu'];

describe.each(BACKENDS)('zoo models match onnxruntime on %s', (backend) => {
  it.skipIf(MODELS.length > 0)('(no zoo models present in packages/zoo/models)', () => {});

  it.each(MODELS.map((path) => ({ path, name: relative(ZOO_MODELS_DIR, path) })))(
    '$name',
    async ({ path }) => {
      await selectBackend(backend);
      const graph = await loadOnnxGraph(path);
      const specs = zooInputs(graph.inputs, vocabSize(path), 7);
      const reference = await referenceOutputs(path, specs);
      const feeds = tfFeeds(specs);
      const outputs = graph.run(feeds);
      expect(Object.keys(outputs).sort()).toEqual(Object.keys(reference).sort());
      for (const [name, tensor] of Object.entries(outputs)) expectParity(tensor, reference[name]!, name);
      tf.dispose([...Object.values(outputs), ...Object.values(feeds)]);
      graph.dispose();
    },
  );
});
