import { tf } from '@attune/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BackendName, loadOnnxGraph, type OnnxGraph, selectBackend } from '../src/index.js';
import { expectParity } from './helpers/compare.js';
import { referenceOutputs, tfFeeds } from './helpers/feeds.js';
import { fixturePath, MODEL_FIXTURES } from './helpers/model-fixtures.js';

const BACKENDS: readonly BackendName[] = ['cpu', 'wasm'];

describe.each(BACKENDS)('forward parity with onnxruntime on %s', (backend) => {
  const graphs = new Map<string, OnnxGraph>();

  beforeAll(async () => {
    await selectBackend(backend);
    for (const fixture of MODEL_FIXTURES)
      graphs.set(fixture.file, await loadOnnxGraph(fixturePath(fixture.file)));
  });

  afterAll(() => {
    for (const graph of graphs.values()) graph.dispose();
  });

  const cases = MODEL_FIXTURES.flatMap((fixture) => fixture.dims.map((dims) => ({ fixture, dims })));
  it.each(cases)('$fixture.file with $dims', async ({ fixture, dims }) => {
    const specs = fixture.inputs(dims, 11);
    const reference = await referenceOutputs(fixturePath(fixture.file), specs);
    const graph = graphs.get(fixture.file)!;
    const feeds = tfFeeds(specs);
    const outputs = graph.run(feeds);
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(reference).sort());
    for (const [name, tensor] of Object.entries(outputs)) expectParity(tensor, reference[name]!, name);
    tf.dispose([...Object.values(outputs), ...Object.values(feeds)]);
  });
});
