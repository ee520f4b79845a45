import type { Registry } from '@attune/registry';
import { configHash } from '../canonical-json.js';
import { harnessVersion } from '../harness-version.js';
import { type PreparedSuite, prepareSuite } from '../prepared-suite.js';
import type { MethodSpec } from '../records.js';
import { type EvaluationOutput, SampleEvaluator } from '../sample-evaluator.js';
import { suitePluginName } from '../suite-lookup.js';
import type { QueueJobData, RunSetup } from './queue-job.js';

interface Loaded {
  readonly key: string;
  readonly prepared: PreparedSuite;
  readonly evaluator: SampleEvaluator;
  /** Methods seen for this setup; a job's method is found by index, as SampleEvaluator expects. */
  readonly methods: MethodSpec[];
}

/**
 * A queue worker's evaluator: builds the job's suite from this worker's own registry (one setup at a time,
 * kept while jobs of the same setup follow), proves it matches the job's setup, and evaluates the job with
 * the same SampleEvaluator local runs use, so a record does not depend on where it was computed.
 */
export class JobEvaluator {
  #loaded: Loaded | undefined;
  readonly #verdicts = new Map<string, readonly string[]>();

  constructor(private readonly registry: Registry) {}

  /**
   * Every way this worker differs from the job's setup (plugin versions, config hashes, the sample list's
   * bytes and keys, harness version); empty when it can serve the job.
   */
  async problemsWith(job: QueueJobData): Promise<readonly string[]> {
    const verdictKey = JSON.stringify([
      setupKey(job.setup),
      job.setup.runId,
      job.method.name,
      job.method.configHash,
    ]);
    const known = this.#verdicts.get(verdictKey);
    if (known) return known;
    const problems = [...this.#pluginProblems(job)];
    if (problems.length === 0) {
      try {
        const { prepared } = await this.#load(job.setup);
        if (prepared.configHash !== job.setup.suiteConfigHash) {
          problems.push(`suite "${job.setup.suite}" config parses to another hash here`);
        }
        if (prepared.sampleListSha256 !== job.setup.sampleListSha256) {
          problems.push(
            `sample list ${prepared.sampleList} hashes to ${prepared.sampleListSha256.slice(0, 12)} here, ` +
              `${job.setup.sampleListSha256.slice(0, 12)} in the run`,
          );
        }
        if (prepared.sampleKeysSha256 !== job.setup.sampleKeysSha256) {
          problems.push(`suite "${job.setup.suite}" gives other sample keys from the list here`);
        }
      } catch (error) {
        problems.push(`cannot build suite "${job.setup.suite}" here: ${(error as Error).message}`);
      }
    }
    this.#verdicts.set(verdictKey, problems);
    return problems;
  }

  /** Evaluates a job that problemsWith() accepted. */
  async evaluate(job: QueueJobData): Promise<EvaluationOutput> {
    const loaded = await this.#load(job.setup);
    let methodIndex = loaded.methods.findIndex(
      (m) => m.name === job.method.name && m.configHash === job.method.configHash,
    );
    if (methodIndex < 0) {
      loaded.methods.push({
        name: job.method.name,
        config: job.method.config,
        configHash: job.method.configHash,
      });
      methodIndex = loaded.methods.length - 1;
    }
    return loaded.evaluator.evaluate({
      methodIndex,
      seed: job.seed,
      sampleIndex: job.sampleIndex,
      sampleKey: job.sampleKey,
    });
  }

  /** Disposes the method instance and suite in use. */
  async close(): Promise<void> {
    const loaded = this.#loaded;
    this.#loaded = undefined;
    await loaded?.evaluator.close();
  }

  #pluginProblems(job: QueueJobData): string[] {
    const problems: string[] = [];
    const { setup, method } = job;
    if (setup.harnessVersion !== harnessVersion()) {
      problems.push(`@attune/bench is ${harnessVersion()} here, ${setup.harnessVersion} in the run`);
    }
    const version = (name: string) => (this.registry.has(name) ? this.registry.get(name).version : undefined);
    const suiteVersion = version(suitePluginName(setup.suite));
    if (suiteVersion === undefined) problems.push(`suite plugin "${setup.suite}" is not installed here`);
    else if (suiteVersion !== setup.suiteVersion) {
      problems.push(
        `suite plugin "${setup.suite}" is version ${suiteVersion} here, ${setup.suiteVersion} in the run`,
      );
    }
    const methodVersion = version(method.name);
    if (methodVersion === undefined) {
      problems.push(`method plugin "${method.name}" is not installed here`);
      return problems;
    }
    if (methodVersion !== method.version) {
      problems.push(
        `method plugin "${method.name}" is version ${methodVersion} here, ${method.version} in the run`,
      );
    }
    try {
      const hash = configHash(this.registry.parseConfig(method.name, method.config));
      if (hash !== method.configHash) {
        problems.push(
          `method "${method.name}" config parses to ${hash.slice(0, 12)} here, ${method.configHash.slice(0, 12)} in the run`,
        );
      }
    } catch (error) {
      problems.push(`method "${method.name}" config is invalid here: ${(error as Error).message}`);
    }
    return problems;
  }

  async #load(setup: RunSetup): Promise<Loaded> {
    const key = setupKey(setup);
    if (this.#loaded?.key === key) return this.#loaded;
    await this.close();
    const prepared = await prepareSuite(this.registry, setup.suite, setup.suiteConfig, setup.limit);
    const methods: MethodSpec[] = [];
    const evaluator = new SampleEvaluator(
      this.registry,
      setup.suite,
      prepared.suite,
      prepared.entries,
      methods,
    );
    this.#loaded = { key, prepared, evaluator, methods };
    return this.#loaded;
  }
}

/** Runs of the same suite, config and limit share one prepared suite (and its method instance). */
function setupKey(setup: RunSetup): string {
  return JSON.stringify([setup.suite, setup.suiteConfigHash, setup.limit, setup.sampleListSha256]);
}
