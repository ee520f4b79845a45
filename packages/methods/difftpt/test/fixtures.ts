// Reading the fixture the torch reference wrote (scripts/difftpt_reference.py), and comparing numbers.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import type { RawImage } from '@attune/contracts';
import { loadMnist } from '@attune/data';
import { clipModelPlugin, imageVariationPlugin } from '@attune/models';
import { type Plugin, Registry } from '@attune/registry';
import { tf } from '@attune/tensor';
import { expect } from 'vitest';

export interface EncodedFloat32 {
  readonly shape: number[];
  readonly dtype: 'float32';
  readonly base64: string;
}

export interface FixtureRun {
  readonly kept: number[];
  readonly losses: number[];
  readonly entropyBefore: number;
  readonly entropyAfter: number;
  readonly gradFirstStep?: number[][];
  readonly ctx: number[][];
  readonly logitsView0: number[];
}

export interface Fixture {
  readonly model: { readonly id: string; readonly sha256: Record<string, string> };
  readonly image: { readonly index: number; readonly label: number };
  readonly generatedViewsSource: { readonly kind: 'stand-in' | 'diffusion'; readonly what: string };
  readonly classNames: string[];
  readonly config: {
    readonly augmentedViews: number;
    readonly generatedViews: number;
    readonly cosineSelection: number;
    readonly selection: number;
    readonly steps: number;
    readonly lr: number;
    readonly weightDecay: number;
    readonly eps: number;
    readonly nCtx: number;
    readonly initText: string;
  };
  readonly viewFeatures: EncodedFloat32;
  readonly filters: {
    readonly logits: EncodedFloat32;
    readonly code: { readonly cosineKept: number[]; readonly similarity: number[]; readonly kept: number[] };
    readonly paper: {
      readonly conventionalKept: number[];
      readonly generatedCosineKept: number[];
      readonly kept: number[];
    };
  };
  readonly runs: { readonly code: FixtureRun; readonly paper: FixtureRun };
}

export const fixture: Fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../fixtures/difftpt-parity.json', import.meta.url)), 'utf8'),
);

/** The model the tests run on: the one the parity fixture was generated with (zoo:mini-clip). */
export const TEST_MODEL = fixture.model.id;

export function tensor2d(entry: EncodedFloat32): tf.Tensor2D {
  const [rows, cols] = entry.shape as [number, number];
  const bytes = Buffer.from(entry.base64, 'base64');
  if (bytes.length !== rows * cols * 4)
    throw new Error(`fixture array [${rows},${cols}]: got ${bytes.length} bytes`);
  const values = new Float32Array(rows * cols);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return tf.tensor2d(values, [rows, cols]);
}

type Nested = number | readonly Nested[];
const flatten = (x: Nested): number[] => (typeof x === 'number' ? [x] : x.flatMap(flatten));

export function maxAbsDiff(a: Nested, b: Nested): number {
  const fa = flatten(a);
  const fb = flatten(b);
  if (fa.length !== fb.length) throw new Error(`sizes differ: ${fa.length} vs ${fb.length}`);
  return fa.reduce((m, v, i) => Math.max(m, Math.abs(v - fb[i]!)), 0);
}

export function expectClose(actual: Nested, expected: Nested, tolerance: number): void {
  const diff = maxAbsDiff(actual, expected);
  expect(diff, `max |actual − expected| = ${diff.toExponential(2)} > ${tolerance}`).toBeLessThanOrEqual(
    tolerance,
  );
}

/** MNIST test image `index` as the classifier takes it (uint8, one channel). */
export function mnistTestImage(index: number): RawImage {
  const dataset = loadMnist('test');
  const [, height, width] = dataset.shape;
  const size = height * width;
  return { data: dataset.images.slice(index * size, (index + 1) * size), width, height, channels: 1 };
}

/** A registry with `plugins` and what DiffTPT needs: the 'clip' and 'image-variation' model plugins, both backends. */
export function testRegistry(...plugins: Plugin[]): Registry {
  const registry = new Registry();
  for (const plugin of [
    ...plugins,
    clipModelPlugin,
    imageVariationPlugin,
    onnxBackendPlugin,
    tfjsBackendPlugin,
  ]) {
    registry.register(plugin);
  }
  return registry;
}
