import { definePlugin, type Plugin, type PluginContext, type PluginInstance, type z } from '@attune/registry';
import { MalformedSuiteError } from './errors.js';

/** The capability a dataset plugin provides to be found as a benchmark suite. */
export const SUITE_CAPABILITY = 'benchmark-suite';

/** What evaluating one method on one sample produced. */
export interface SampleOutcome {
  readonly prediction: string | number;
  readonly label: string | number;
  /** Defaults to `prediction === label`; a suite with a looser notion of right (numeric tolerance) sets it. */
  readonly correct?: boolean;
  /** Anything else worth keeping per sample (an entropy, a token count); stored as JSON. */
  readonly extra?: Readonly<Record<string, number | string>>;
}

/**
 * A benchmark suite: which samples (from a pinned list file), how each is named and grouped, and how a
 * method instance is evaluated on one. Workers rebuild their own suite from the same plugin and config,
 * so a suite holds no state that a run depends on besides what its config and list file determine.
 */
export interface Suite<Entry = unknown, Instance = PluginInstance> extends PluginInstance {
  /** Path of the pinned sample list the entries come from; the harness records its sha256. */
  readonly sampleList: string;
  /** The samples, in the list's order (--limit n takes the first n). */
  entries(): readonly Entry[] | Promise<readonly Entry[]>;
  /** A key unique within the list, stable across runs (e.g. "t10k-00042/gaussian-noise-3"). */
  sampleKey(entry: Entry): string;
  /** The group a sample is reported under: a corruption family, a dataset variant, or 'clean'. */
  family(entry: Entry): string;
  /** Runs the method instance on one sample. Episodic methods must not carry state between calls. */
  evaluate(instance: Instance, entry: Entry, seed: number): Promise<SampleOutcome>;
}

/** What a suite plugin's create() may return: dispose is optional (most suites hold nothing to free). */
export type SuiteSpecInstance<Entry, Instance> = Omit<Suite<Entry, Instance>, 'dispose'> & {
  dispose?(): void | Promise<void>;
};

export interface SuiteSpec<Schema extends z.ZodType, Entry, Instance> {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly config: Schema;
  /** Capabilities the suite's samples need from a method, e.g. 'vision-language'. */
  readonly needs?: readonly string[];
  create(
    config: z.output<Schema>,
    context: PluginContext,
  ): SuiteSpecInstance<Entry, Instance> | Promise<SuiteSpecInstance<Entry, Instance>>;
}

/**
 * Declares a benchmark suite as a registry plugin of kind 'dataset' that provides 'benchmark-suite'.
 * Suites are plugins so that installing a package makes its suites appear (`attune list --kind dataset`),
 * their config is validated and documented like any plugin's, and worker processes rebuild them from the
 * same registry source as the methods.
 */
export function defineSuite<Schema extends z.ZodType, Entry, Instance = PluginInstance>(
  spec: SuiteSpec<Schema, Entry, Instance>,
): Plugin<Schema, Suite<Entry, Instance>> {
  return definePlugin({
    name: spec.name,
    kind: 'dataset',
    version: spec.version,
    description: spec.description,
    config: spec.config,
    needs: spec.needs ?? [],
    provides: [SUITE_CAPABILITY],
    create: async (config, context) => {
      const made = await spec.create(config, context);
      return { dispose: () => undefined, ...made } as Suite<Entry, Instance>;
    },
  });
}

/** Checks at runtime that a suite plugin's instance has every member a suite needs. */
export function assertSuite(value: unknown, suiteName: string): asserts value is Suite {
  if (value === null || typeof value !== 'object') {
    throw new MalformedSuiteError(suiteName, `create() must return a suite object, got ${typeof value}`);
  }
  const suite = value as Record<string, unknown>;
  if (typeof suite.sampleList !== 'string' || suite.sampleList === '') {
    throw new MalformedSuiteError(suiteName, 'sampleList must be the path of the pinned sample list file');
  }
  for (const member of ['entries', 'sampleKey', 'family', 'evaluate', 'dispose']) {
    if (typeof suite[member] !== 'function') {
      throw new MalformedSuiteError(suiteName, `${member} must be a function, got ${typeof suite[member]}`);
    }
  }
}
