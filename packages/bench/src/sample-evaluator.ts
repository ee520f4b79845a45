import { performance } from 'node:perf_hooks';
import type { BudgetOutcome, CandidateOutcomes, SampleOutcome, Suite } from '@attune/contracts';
import type { PluginInstance, Registry } from '@attune/registry';
import { EvaluationError } from './errors.js';
import { collectGarbageIfGrown, type PeakRssScope, peakRssBytes, resetPeakRss } from './peak-memory.js';
import type { MethodSpec } from './records.js';

/** One unit of work: a method (by index into the run's methods), a seed and a sample of the list. */
export interface EvaluationTask {
  readonly methodIndex: number;
  readonly seed: number;
  readonly sampleIndex: number;
  /** The key the harness expects at sampleIndex; a mismatch means the evaluator sees another list. */
  readonly sampleKey: string;
}

/** What evaluating a task measured; the harness adds run, list and attempt fields to make a record. */
export interface EvaluationOutput {
  readonly family: string;
  readonly prediction: string | number;
  readonly label: string | number;
  readonly correct: boolean;
  readonly extra: Readonly<Record<string, number | string>> | null;
  readonly budgets?: readonly BudgetOutcome[];
  readonly candidates?: CandidateOutcomes;
  readonly latencyMs: number;
  readonly peakRssBytes: number;
  readonly peakRssScope: PeakRssScope;
  readonly backend: string | null;
  readonly threads: number | null;
  readonly nodeVersion: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly finishedAt: string;
}

interface Current {
  readonly methodIndex: number;
  readonly seed: number;
  readonly instance: PluginInstance;
}

/**
 * Evaluates tasks in one process. It keeps one method instance at a time and reuses it while consecutive
 * tasks share (method, seed): the harness hands out tasks ordered by method, then seed, so each
 * (method, seed) is created at most once per evaluator, and the previous instance is disposed first so
 * two models never sit in memory together.
 */
export class SampleEvaluator {
  #current: Current | undefined;
  /** How many method instances this evaluator created (for tests and logs). */
  instancesCreated = 0;

  constructor(
    private readonly registry: Registry,
    private readonly suiteName: string,
    private readonly suite: Suite,
    private readonly entries: readonly unknown[],
    private readonly methods: readonly MethodSpec[],
  ) {}

  async evaluate(task: EvaluationTask): Promise<EvaluationOutput> {
    const method = this.methods[task.methodIndex];
    if (!method)
      throw new EvaluationError(`no method at index ${task.methodIndex} (run has ${this.methods.length})`);
    const entry = this.entries[task.sampleIndex];
    const key = entry === undefined ? undefined : this.suite.sampleKey(entry);
    if (key !== task.sampleKey) {
      throw new EvaluationError(
        `suite "${this.suiteName}" has sample ${JSON.stringify(key)} at position ${task.sampleIndex}, but the run ` +
          `expects "${task.sampleKey}": this process sees a different sample list than the harness`,
      );
    }
    const instance = await this.#instanceFor(task.methodIndex, task.seed, method);
    const where = `method "${method.name}" (seed ${task.seed}) on sample "${task.sampleKey}" of suite "${this.suiteName}"`;
    const startedAt = new Date().toISOString();
    // A sample's peak RSS is its own: the garbage earlier samples left is collected before the reset.
    collectGarbageIfGrown();
    const peakRssScope = resetPeakRss();
    const t0 = performance.now();
    let outcome: SampleOutcome;
    try {
      outcome = await this.suite.evaluate(instance, entry, task.seed);
    } catch (error) {
      throw new EvaluationError(`${where} failed: ${(error as Error)?.message ?? String(error)}`);
    }
    const latencyMs = performance.now() - t0;
    const peak = peakRssBytes();
    checkOutcome(outcome, where);
    const reported = instance as PluginInstance & { backend?: unknown; threads?: unknown };
    return {
      family: this.suite.family(entry),
      prediction: outcome.prediction,
      label: outcome.label,
      correct: outcome.correct ?? outcome.prediction === outcome.label,
      extra: outcome.extra ? { ...outcome.extra } : null,
      ...(outcome.budgets ? { budgets: outcome.budgets.map((b) => ({ ...b })) } : {}),
      ...(outcome.candidates ? { candidates: copyCandidates(outcome.candidates) } : {}),
      latencyMs,
      peakRssBytes: peak,
      peakRssScope,
      backend: typeof reported.backend === 'string' ? reported.backend : null,
      threads: Number.isInteger(reported.threads) ? (reported.threads as number) : null,
      nodeVersion: process.version,
      pid: process.pid,
      startedAt,
      finishedAt: new Date().toISOString(),
    };
  }

  /** Disposes the current method instance and the suite. */
  async close(): Promise<void> {
    await this.#disposeCurrent();
    await this.suite.dispose();
  }

  async #instanceFor(methodIndex: number, seed: number, method: MethodSpec): Promise<PluginInstance> {
    const current = this.#current;
    if (current && current.methodIndex === methodIndex && current.seed === seed) return current.instance;
    await this.#disposeCurrent();
    let instance: PluginInstance;
    try {
      instance = await this.registry.create(method.name, method.config, { seed });
    } catch (error) {
      throw new EvaluationError(
        `cannot create method "${method.name}" (seed ${seed}): ${(error as Error).message}`,
      );
    }
    this.instancesCreated += 1;
    this.#current = { methodIndex, seed, instance };
    return instance;
  }

  async #disposeCurrent(): Promise<void> {
    const current = this.#current;
    this.#current = undefined;
    if (current) await current.instance.dispose();
  }
}

function isScalar(value: unknown): value is string | number {
  return typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
}

/** Refuses an outcome the store could not keep or the summary would misread, naming the field. */
export function checkOutcome(outcome: SampleOutcome, where: string): void {
  const bad = (problem: string) => new EvaluationError(`${where}: suite.evaluate returned ${problem}`);
  if (outcome === null || typeof outcome !== 'object')
    throw bad(`${typeof outcome}; expected { prediction, label }`);
  if (!isScalar(outcome.prediction)) {
    throw bad(
      `prediction ${String(outcome.prediction)} (${typeof outcome.prediction}); expected a string or finite number`,
    );
  }
  if (!isScalar(outcome.label)) {
    throw bad(`label ${String(outcome.label)} (${typeof outcome.label}); expected a string or finite number`);
  }
  if (outcome.correct !== undefined && typeof outcome.correct !== 'boolean') {
    throw bad(`correct of type ${typeof outcome.correct}; expected a boolean or nothing`);
  }
  for (const [key, value] of Object.entries(outcome.extra ?? {})) {
    if (!isScalar(value)) throw bad(`extra.${key} = ${String(value)}; expected a string or finite number`);
  }
  if (outcome.budgets !== undefined) checkBudgets(outcome.budgets, bad);
  if (outcome.candidates !== undefined) checkCandidates(outcome.candidates, bad);
}

function copyCandidates(c: CandidateOutcomes): CandidateOutcomes {
  return { correct: [...c.correct], ...(c.scores ? { scores: [...c.scores] } : {}) };
}

function checkCandidates(c: CandidateOutcomes, bad: (problem: string) => Error): void {
  if (!Array.isArray(c?.correct) || c.correct.length === 0) {
    throw bad('candidates.correct is not a non-empty array; expected one boolean per candidate');
  }
  const i = c.correct.findIndex((x) => typeof x !== 'boolean');
  if (i >= 0) throw bad(`candidates.correct[${i}] of type ${typeof c.correct[i]}; expected a boolean`);
  if (c.scores === undefined) return;
  if (!Array.isArray(c.scores) || c.scores.length !== c.correct.length) {
    throw bad(
      `candidates.scores has ${Array.isArray(c.scores) ? c.scores.length : typeof c.scores} entries; expected one per candidate (${c.correct.length})`,
    );
  }
  const j = c.scores.findIndex((x) => x !== null && !Number.isFinite(x));
  if (j >= 0) throw bad(`candidates.scores[${j}] = ${String(c.scores[j])}; expected a finite number or null`);
}

function checkBudgets(budgets: readonly BudgetOutcome[], bad: (problem: string) => Error): void {
  if (!Array.isArray(budgets)) throw bad(`budgets of type ${typeof budgets}; expected an array`);
  let previous = 0;
  for (const [i, b] of budgets.entries()) {
    if (!Number.isInteger(b?.budget) || b.budget <= previous) {
      throw bad(
        `budgets[${i}].budget = ${String(b?.budget)}; expected integers growing from 1 (after ${previous})`,
      );
    }
    previous = b.budget;
    if (!isScalar(b.prediction))
      throw bad(`budgets[${i}].prediction = ${String(b.prediction)}; expected a string or finite number`);
    if (typeof b.correct !== 'boolean')
      throw bad(`budgets[${i}].correct of type ${typeof b.correct}; expected a boolean`);
    if (b.flops !== undefined && !(Number.isFinite(b.flops) && b.flops >= 0)) {
      throw bad(`budgets[${i}].flops = ${String(b.flops)}; expected a finite number >= 0`);
    }
    if (b.anyCorrect !== undefined && typeof b.anyCorrect !== 'boolean') {
      throw bad(`budgets[${i}].anyCorrect of type ${typeof b.anyCorrect}; expected a boolean or nothing`);
    }
  }
}
