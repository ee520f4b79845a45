import { tf } from '@attune/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, loadOnnxGraph, selectBackend } from '../src/index.js';
import { expectParity } from './helpers/compare.js';
import { referenceOutputs, tfFeeds } from './helpers/feeds.js';
import { checkDirectionalDerivatives, RandomReadout } from './helpers/finite-differences.js';
import { listOpGraphs, opGraphInputs } from './helpers/op-graphs.js';

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];
const OP_GRAPHS = listOpGraphs();

describe.each(BACKENDS)('operator semantics on %s', (backend) => {
  beforeAll(async () => {
    await selectBackend(backend);
  });

  it.each(OP_GRAPHS)('$name matches onnxruntime', async (opGraph) => {
    const specs = await opGraphInputs(opGraph, 3);
    const reference = await referenceOutputs(opGraph.path, specs);
    const graph = await loadOnnxGraph(opGraph.path);
    const feeds = tfFeeds(specs);
    const outputs = graph.run(feeds);
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(reference).sort());
    for (const [name, tensor] of Object.entries(outputs)) expectParity(tensor, reference[name]!, name);
    tf.dispose([...Object.values(outputs), ...Object.values(feeds)]);
    graph.dispose();
  });

  it.each(OP_GRAPHS.filter((g) => g.differentiable))(
    '$name gradients match finite differences',
    async (opGraph) => {
      const graph = await loadOnnxGraph(opGraph.path);
      const feeds = tfFeeds(await opGraphInputs(opGraph, 4));
      const readout = new RandomReadout(graph, feeds, 9);
      for (const input of graph.inputNames) {
        const checks = checkDirectionalDerivatives(graph, feeds, input, readout);
        for (const check of checks)
          expect(check.relativeError, `d loss / d ${input}: ${JSON.stringify(check)}`).toBeLessThan(1e-2);
      }
      tf.dispose(Object.values(feeds));
      graph.dispose();
    },
  );
});
