import type { PluginInstance } from '@attune/registry';
import { describe, it } from 'vitest';
import { type BadConfigCase, derivedBadConfigs } from './bad-configs.js';
import {
  type CheckTarget,
  checkBadConfigRejected,
  checkCreateDispose,
  checkDeterminism,
  checkNoLeaks,
  checkSchemaRoundTrip,
  makeRegistry,
} from './checks.js';

export interface ConformanceOptions<Instance extends PluginInstance, Output>
  extends CheckTarget<Instance, Output> {
  /** Bad configs beyond the wrong-type ones derived from the schema, each with the path its error must name. */
  readonly badConfigs?: readonly BadConfigCase[];
  /** Calls in the leak check after the first (default 3). */
  readonly leakRepeats?: number;
  /** Timeout in ms for the tests that create and exercise instances (default 60 s). */
  readonly timeoutMs?: number;
}

/**
 * The conformance suite every attune plugin runs, in a few lines of its own test file:
 *
 * ```ts
 * describeConformance({ plugin: tpt, registry: () => registryWithBackends(), exercise: (m, seed) => m.predict(sample) });
 * ```
 *
 * Schema round-trip, defaults valid, create/dispose, bad configs rejected with a clear error, same output
 * under the same seed, and no tfjs tensors leaked across repeated calls.
 */
export function describeConformance<Instance extends PluginInstance, Output>(
  options: ConformanceOptions<Instance, Output>,
): void {
  const { plugin } = options;
  const timeout = options.timeoutMs ?? 60_000;
  const target = options as unknown as CheckTarget<PluginInstance, unknown>;

  describe(`${plugin.name}: attune plugin conformance`, () => {
    it('has defaults for every field that survive a JSON round-trip and match its JSON Schema', () => {
      checkSchemaRoundTrip(plugin);
    });

    it('is registered with its needs met and accepts its test config', async () => {
      const registry = await makeRegistry(target);
      registry.assertNeedsMet(plugin.name);
      registry.parseConfig(plugin.name, options.config ?? {});
    });

    const badConfigs = [...derivedBadConfigs(plugin), ...(options.badConfigs ?? [])];
    for (const badConfig of badConfigs) {
      it(`rejects the bad config ${badConfig.label} with an error naming "${badConfig.path}"`, async () => {
        await checkBadConfigRejected(target, badConfig);
      });
    }

    it('creates and disposes without leaking tensors', () => checkCreateDispose(target), timeout);
    it(
      'gives the same output under the same seed',
      async () => void (await checkDeterminism(options)),
      timeout,
    );
    it(
      'leaks no tfjs tensors across repeated calls',
      () => checkNoLeaks(options, options.leakRepeats),
      timeout,
    );
  });
}
