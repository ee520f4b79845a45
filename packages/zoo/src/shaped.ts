/**
 * Architecture-shaped CLIP exports: real layer sizes, random weights, written by `pnpm zoo:shaped` into
 * a cache outside git. They let tests and benchmarks measure real-scale cost without real checkpoints.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { shapedCacheDir } from './zoo-paths.js';

export interface ShapedSpec {
  readonly name: string;
  readonly visionWidth: number;
  readonly visionLayers: number;
  readonly visionHeads: number;
  readonly patchSize: number;
  readonly imageSize: number;
  readonly textWidth: number;
  readonly textLayers: number;
  readonly textHeads: number;
  readonly contextLength: number;
  readonly vocabSize: number;
  readonly projectionDim: number;
}

const VIT_B = {
  visionWidth: 768,
  visionLayers: 12,
  visionHeads: 12,
  imageSize: 224,
  textWidth: 512,
  textLayers: 12,
  textHeads: 8,
  contextLength: 77,
  vocabSize: 49408,
  projectionDim: 512,
} as const;

export const SHAPED_SPECS: readonly ShapedSpec[] = [
  { name: 'clip-vit-b-32', patchSize: 32, ...VIT_B },
  { name: 'clip-vit-b-16', patchSize: 16, ...VIT_B },
];

/** Folder of a shaped export and whether `pnpm zoo:shaped` has written it yet. */
export function shapedModelDir(name: string, env: NodeJS.ProcessEnv = process.env) {
  const spec = SHAPED_SPECS.find((s) => s.name === name);
  if (!spec) {
    throw new Error(`unknown shaped export "${name}"; known: ${SHAPED_SPECS.map((s) => s.name).join(', ')}`);
  }
  const dir = join(shapedCacheDir(env), name);
  return { spec, dir, present: existsSync(join(dir, 'config.json')) };
}
