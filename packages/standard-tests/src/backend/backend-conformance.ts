import { isDeepStrictEqual } from 'node:util';
import { CAPABILITY } from '@attune/contracts';
import { type Plugin, type PluginInstance, Registry } from '@attune/registry';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BadConfigCase, derivedBadConfigs } from '../bad-configs.js';
import { checkBadConfigRejected, checkCreateDispose, checkSchemaRoundTrip } from '../checks.js';
import { encodeGraph } from './onnx-builder.js';
import { backendOpGraphs, type HostTensor } from './op-graphs.js';

/** One way to run the backend, e.g. tfjs on 'cpu' and on 'wasm': the same graphs run on each. */
export interface BackendVariant {
  readonly label: string;
  readonly config: Record<string, unknown>;
}

export interface BackendConformanceOptions<Instance extends PluginInstance> {
  readonly plugin: Plugin;
  readonly variants: readonly BackendVariant[];
  /** Loads the model bytes with the instance and runs it on the feeds; returns every output on the host. */
  readonly run: (
    instance: Instance,
    model: Uint8Array,
    feeds: Readonly<Record<string, HostTensor>>,
  ) => Promise<Record<string, HostTensor>>;
  /** A registry holding the plugin; default: the plugin alone. */
  readonly registry?: () => Registry;
  readonly badConfigs?: readonly BadConfigCase[];
  /** Largest |output - reference| allowed, relative to max(1, max |reference|). Default 1e-5 (float32). */
  readonly tolerance?: number;
  readonly timeoutMs?: number;
}

/** max |actual - reference| and the scale it is judged against; NaN counts as infinitely far. */
export function maxDifference(actual: HostTensor, reference: HostTensor): { diff: number; scale: number } {
  const a = Array.from(actual.data as ArrayLike<number>, Number);
  const r = Array.from(reference.data as ArrayLike<number>, Number);
  let diff = a.length === r.length ? 0 : Number.POSITIVE_INFINITY;
  let scale = 0;
  for (let i = 0; i < r.length; i++) {
    const d = Math.abs(a[i]! - r[i]!);
    diff = Math.max(diff, Number.isNaN(d) ? Number.POSITIVE_INFINITY : d);
    scale = Math.max(scale, Math.abs(r[i]!));
  }
  return { diff, scale };
}

/**
 * The backend conformance suite, written once and run by every backend package: the kit's op graphs
 * (matmul, gemm, softmax, conv, a layer norm from primitives, activations, transpose/reshape, max-pool)
 * must give the kit's float64 reference numbers on every variant, the same numbers on a second run, and the
 * plugin must be a backend providing onnx-inference whose config behaves like every plugin's.
 *
 * ```ts
 * describeBackendConformance({
 *   plugin: tfjsBackendPlugin,
 *   variants: [{ label: 'cpu', config: { backend: 'cpu' } }, { label: 'wasm', config: { backend: 'wasm' } }],
 *   run: async (backend, model, feeds) => { ... load, run, read back ... },
 * });
 * ```
 */
export function describeBackendConformance<Instance extends PluginInstance>(
  options: BackendConformanceOptions<Instance>,
): void {
  const { plugin } = options;
  const timeout = options.timeoutMs ?? 60_000;
  const tolerance = options.tolerance ?? 1e-5;
  const registry = options.registry ?? (() => new Registry().register(plugin));
  const target = { plugin, registry, exercise: () => undefined };
  const graphs = backendOpGraphs().map((g) => ({ ...g, model: encodeGraph(g.name, g.spec) }));

  describe(`${plugin.name}: backend conformance`, () => {
    it('is a backend that provides onnx-inference', () => {
      expect(plugin.kind).toBe('backend');
      expect(plugin.provides).toContain(CAPABILITY.onnxInference);
    });

    it('has defaults for every field that survive a JSON round-trip and match its JSON Schema', () => {
      checkSchemaRoundTrip(plugin);
    });

    for (const badConfig of [...derivedBadConfigs(plugin), ...(options.badConfigs ?? [])]) {
      it(`rejects the bad config ${badConfig.label} with an error naming "${badConfig.path}"`, async () => {
        await checkBadConfigRejected(target, badConfig);
      });
    }

    describe.each(options.variants)('on $label', (variant) => {
      let instance: Instance;
      beforeAll(async () => {
        instance = await registry().create<Instance>(plugin.name, variant.config);
      }, timeout);
      afterAll(async () => {
        await instance?.dispose();
      });

      it('creates and disposes without leaking tensors', async () => {
        await checkCreateDispose({ ...target, config: variant.config });
      });

      it.each(graphs)(
        '$name gives the reference numbers, and the same ones again',
        async (graph) => {
          const reference = graph.reference();
          const first = await options.run(instance, graph.model, graph.feeds);
          expect(Object.keys(first).sort()).toEqual(Object.keys(reference).sort());
          for (const [name, expected] of Object.entries(reference)) {
            const got = first[name]!;
            expect([...got.dims], `dims of ${graph.name}.${name}`).toEqual([...expected.dims]);
            const { diff, scale } = maxDifference(got, expected);
            expect(
              diff,
              `${graph.name}.${name}: max |${variant.label} - reference| (scale ${scale})`,
            ).toBeLessThanOrEqual(tolerance * Math.max(1, scale));
          }
          const second = await options.run(instance, graph.model, graph.feeds);
          const asArrays = (outputs: Record<string, HostTensor>) =>
            Object.fromEntries(
              Object.entries(outputs).map(([k, t]) => [k, Array.from(t.data as ArrayLike<number>)]),
            );
          expect(
            isDeepStrictEqual(asArrays(second), asArrays(first)),
            'a second run gives the same numbers',
          ).toBe(true);
        },
        timeout,
      );
    });
  });
}
