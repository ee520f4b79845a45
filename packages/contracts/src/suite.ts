// The benchmark-suite contract and defineSuite. Here rather than in @attune/bench so a suite package
// depends on contracts only, not on the harness (SQLite, vega, BullMQ).
import { definePlugin, type Plugin, type PluginContext, type PluginInstance, type z } from '@attune/registry';
import { CAPABILITY } from './capabilities.js';

/** The plugin kind of benchmark suites. */
export const SUITE_KIND = 'suite';

/**
 * The answer the same evaluation gives at a smaller budget (samples voted over, chain steps): methods
 * whose answer is a vote over a growing set report the whole curve from one run.
 */
export interface BudgetOutcome {
  /** Samples, steps or calls the answer at this point used (1, 2, 4, ...). */
  readonly budget: number;
  readonly prediction: string | number;
  readonly correct: boolean;
  /** Compute spent up to this budget, when the method counts it. */
  readonly flops?: number;
  /**
   * Whether some candidate the answer at this budget was chosen from is correct (the first n samples, a
   * chain's n + 1 states): pass@budget, the ceiling of any rule that picks one of them.
   */
  readonly anyCorrect?: boolean;
}

/**
 * The candidates a method chose its answer from, in the order it produced them, for the harness's ranking
 * figures: whether each is correct and, when the method ranks them with a scorer (a reward model), its
 * score (null where the scorer gave none, e.g. NaN). The harness reports the scorer's AUC from them.
 */
export interface CandidateOutcomes {
  readonly correct: readonly boolean[];
  /** One per candidate, or absent when the method does not score its candidates. */
  readonly scores?: readonly (number | null)[];
}

/** What evaluating one method on one sample produced. */
export interface SampleOutcome {
  readonly prediction: string | number;
  readonly label: string | number;
  /** Defaults to `prediction === label`; a suite with a looser notion of right (numeric tolerance) sets it. */
  readonly correct?: boolean;
  /** Anything else worth keeping per sample (an entropy, a token count); stored as JSON. */
  readonly extra?: Readonly<Record<string, number | string>>;
  /** The answer at growing budgets, smallest first (the last is usually `prediction` itself). */
  readonly budgets?: readonly BudgetOutcome[];
  /** The candidates behind the answer (samples, states), when the suite reports them. */
  readonly candidates?: CandidateOutcomes;
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
  /** Capabilities the suite's samples need from a method, e.g. CAPABILITY.imageClassification. */
  readonly needs?: readonly string[];
  create(
    config: z.output<Schema>,
    context: PluginContext,
  ): SuiteSpecInstance<Entry, Instance> | Promise<SuiteSpecInstance<Entry, Instance>>;
}

/**
 * Declares a benchmark suite as a registry plugin of kind 'suite' that provides 'benchmark-suite'.
 * Suites are plugins so that installing a package makes its suites appear (`attune list --kind suite`),
 * their config is validated and documented like any plugin's, and worker processes rebuild them from the
 * same registry source as the methods.
 */
export function defineSuite<Schema extends z.ZodType, Entry, Instance = PluginInstance>(
  spec: SuiteSpec<Schema, Entry, Instance>,
): Plugin<Schema, Suite<Entry, Instance>> {
  return definePlugin({
    name: spec.name,
    kind: SUITE_KIND,
    version: spec.version,
    description: spec.description,
    config: spec.config,
    needs: spec.needs ?? [],
    provides: [CAPABILITY.benchmarkSuite],
    create: async (config, context) => {
      const made = await spec.create(config, context);
      return { dispose: () => undefined, ...made } as Suite<Entry, Instance>;
    },
  });
}
