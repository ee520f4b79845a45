// The backend conformance suite of @attune/standard-tests on onnxruntime's cpu execution provider: the same
// op graphs and reference numbers backend-tfjs must give on cpu and wasm.
import { describeBackendConformance, type HostTensor } from '@attune/standard-tests';
import { type OnnxBackend, Tensor } from '../src/index.js';
import { onnxBackendPlugin } from '../src/plugin.js';

async function run(backend: OnnxBackend, model: Uint8Array, feeds: Readonly<Record<string, HostTensor>>) {
  const session = await backend.load(model);
  const outputs = await session.run(
    Object.fromEntries(
      Object.entries(feeds).map(([name, t]) => [
        name,
        new Tensor('float32', Float32Array.from(t.data), [...t.dims]),
      ]),
    ),
  );
  const host: Record<string, HostTensor> = {};
  for (const [name, t] of Object.entries(outputs)) {
    host[name] = { dims: t.dims.map(Number), data: Float32Array.from(t.data as Float32Array) };
  }
  return host;
}

describeBackendConformance({
  plugin: onnxBackendPlugin,
  variants: [{ label: 'onnxruntime cpu', config: { executionProviders: ['cpu'], intraOpNumThreads: 1 } }],
  run,
});
