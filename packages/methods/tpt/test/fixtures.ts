// Reading the fixtures the torch reference wrote, and comparing numbers.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onnxBackendPlugin } from '@attune/backend-onnx/plugin';
import { tfjsBackendPlugin } from '@attune/backend-tfjs/plugin';
import type { RawImage } from '@attune/contracts';
import { loadMnist, MNIST_CLASS_NAMES } from '@attune/data';
import { clipModelPlugin } from '@attune/models';
import { type Plugin, Registry } from '@attune/registry';
import { tf } from '@attune/tensor';
import { expect } from 'vitest';

export interface EncodedFloat32 {
  readonly shape: number[];
  readonly dtype: 'float32';
  readonly base64: string;
}

export interface FixtureRun {
  readonly steps: number;
  readonly kept: number[];
  readonly losses: number[];
  readonly entropyBefore: number;
  readonly entropyAfter: number;
  readonly gradFirstStep?: number[][];
  readonly ctx: number[][];
  readonly logitsView0Before: number[];
  readonly logitsView0: number[];
}

export interface Fixture {
  readonly model: { readonly id: string; readonly sha256: Record<string, string> };
  readonly image: {
    readonly dataset: string;
    readonly split: string;
    readonly index: number;
    readonly label: number;
  };
  readonly classNames: string[];
  readonly config: {
    readonly views: number;
    readonly selection: number;
    readonly lr: number;
    readonly weightDecay: number;
    readonly eps: number;
    readonly nCtx: number;
    readonly initText: string;
  };
  readonly viewFeatures: EncodedFloat32;
  readonly promptTokenIds: number[][];
  readonly ctxInit: number[][];
  readonly runs: FixtureRun[];
}

export function fixturePath(name: string): string {
  return fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
}

export function readFixture<T>(name: string): T {
  return JSON.parse(readFileSync(fixturePath(name), 'utf8')) as T;
}

export function decodeFloat32(entry: EncodedFloat32): Float32Array {
  const bytes = Buffer.from(entry.base64, 'base64');
  const expected = entry.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== expected * 4) {
    throw new Error(
      `fixture array [${entry.shape.join(',')}] should hold ${expected * 4} bytes, got ${bytes.length}`,
    );
  }
  const out = new Float32Array(expected);
  for (let i = 0; i < expected; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

export function featuresTensor(entry: EncodedFloat32): tf.Tensor2D {
  const [n, d] = entry.shape as [number, number];
  return tf.tensor2d(decodeFloat32(entry), [n, d]);
}

type Nested = number | readonly Nested[];

function flatten(x: Nested): number[] {
  return typeof x === 'number' ? [x] : x.flatMap(flatten);
}

/** Largest absolute difference between two equally shaped nested arrays. */
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

/** The model the tests run on: the one the parity fixture was generated with (zoo:mini-clip). */
export const TEST_MODEL = readFixture<Fixture>('tpt-parity.json').model.id;

/** An MNIST test image as the classifier takes it (uint8, one channel). */
export function mnistTestImage(index: number): { image: RawImage; label: number } {
  const dataset = loadMnist('test');
  const [, height, width] = dataset.shape;
  const size = height * width;
  return {
    image: { data: dataset.images.slice(index * size, (index + 1) * size), width, height, channels: 1 },
    label: dataset.labels[index]!,
  };
}

export const MNIST_CLASSES: readonly string[] = MNIST_CLASS_NAMES;

/** A registry with `plugins` and what a CLIP method needs: the 'clip' model plugin and both backends. */
export function testRegistry(...plugins: Plugin[]): Registry {
  const registry = new Registry();
  for (const plugin of [...plugins, clipModelPlugin, onnxBackendPlugin, tfjsBackendPlugin])
    registry.register(plugin);
  return registry;
}
