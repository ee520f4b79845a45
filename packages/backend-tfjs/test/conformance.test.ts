// The backend conformance suite of @attune/standard-tests on each tfjs backend this package ships: the
// same op graphs must give the same numbers on cpu and on wasm (tensorflow* when installed is 'auto').
import { describeBackendConformance, type HostTensor } from '@attune/standard-tests';
import { tf } from '@attune/tensor';
import type { TfjsBackend } from '../src/index.js';
import { tfjsBackendPlugin } from '../src/plugin.js';

async function run(backend: TfjsBackend, model: Uint8Array, feeds: Readonly<Record<string, HostTensor>>) {
  const graph = await backend.loadGraph(model);
  const inputs = Object.fromEntries(
    Object.entries(feeds).map(([name, t]) => [
      name,
      tf.tensor(Float32Array.from(t.data), [...t.dims], 'float32'),
    ]),
  );
  const outputs = graph.run(inputs);
  const host: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(outputs))
    host[name] = { dims: t.shape, data: Float32Array.from(t.dataSync()) };
  tf.dispose([...Object.values(inputs), ...Object.values(outputs)]);
  graph.dispose();
  return host;
}

describeBackendConformance({
  plugin: tfjsBackendPlugin,
  variants: [
    { label: 'tfjs cpu', config: { backend: 'cpu' } },
    { label: 'tfjs wasm', config: { backend: 'wasm' } },
  ],
  run,
});
