import { readdirSync, readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { loadOnnxGraph } from '../../src/index.js';
import type { FeedSpecs } from './feeds.js';
import { FIXTURES_DIR } from './model-fixtures.js';
import { seededRandom, shuffledGrid } from './random.js';

export const OP_GRAPHS_DIR = `${FIXTURES_DIR}ops/`;

export interface OpGraph {
  readonly name: string;
  readonly path: string;
  /** The graph's doc string says every output is differentiable w.r.t. every input. */
  readonly differentiable: boolean;
  /** The value range each input is drawn from (its doc string: "range:lo,hi"). */
  readonly ranges: Readonly<Record<string, readonly [number, number]>>;
}

/** The single-purpose graphs scripts/make_op_graphs.py writes, with the conventions it documents. */
export function listOpGraphs(): OpGraph[] {
  return readdirSync(OP_GRAPHS_DIR)
    .filter((f) => f.endsWith('.onnx'))
    .sort()
    .map((file) => {
      const path = `${OP_GRAPHS_DIR}${file}`;
      const model = onnxProto.onnx.ModelProto.decode(readFileSync(path));
      const ranges: Record<string, [number, number]> = {};
      for (const input of model.graph?.input ?? []) {
        const match = /^range:(-?[\d.]+),(-?[\d.]+)$/.exec(input.docString ?? '');
        ranges[input.name ?? ''] = match ? [Number(match[1]), Number(match[2])] : [-2, 2];
      }
      return {
        name: file.replace('.onnx', ''),
        path,
        differentiable: model.graph?.docString === 'grad',
        ranges,
      };
    });
}

/**
 * Seeded inputs for an op graph: every input is float32 with a static shape. The values are a shuffled
 * evenly spaced grid over the input's range, so no two are closer than (high - low) / size: max, min,
 * pooling and clipping then have no near-ties for a finite-difference step to cross.
 */
export async function opGraphInputs(graph: OpGraph, seed: number): Promise<FeedSpecs> {
  const loaded = await loadOnnxGraph(graph.path);
  const random = seededRandom(seed);
  const specs: FeedSpecs = {};
  for (const input of loaded.inputs) {
    const shape = input.shape as number[];
    const [low, high] = graph.ranges[input.name] ?? [-2, 2];
    specs[input.name] = {
      dtype: 'float32',
      shape,
      data: shuffledGrid(
        random,
        shape.reduce((a, b) => a * b, 1),
        low,
        high,
      ),
    };
  }
  loaded.dispose();
  return specs;
}
