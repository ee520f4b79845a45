import type { BudgetOutcome, CandidateOutcomes } from '@attune/contracts';
import type { PeakRssScope } from './peak-memory.js';

/** A method as a run knows it: its plugin name, its parsed config (defaults filled in) and that config's hash. */
export interface MethodSpec {
  readonly name: string;
  readonly config: Readonly<Record<string, unknown>>;
  readonly configHash: string;
}

/** One benchmark run: what was asked for, pinned so that --resume can prove it continues the same thing. */
export interface RunInfo {
  readonly runId: string;
  readonly suite: string;
  readonly suiteConfig: Readonly<Record<string, unknown>>;
  readonly suiteConfigHash: string;
  readonly sampleList: string;
  readonly sampleListSha256: string;
  /**
   * sha256 of the run's sample keys in order (after --limit): catches a suite whose code now reads the
   * same list file differently (other keys, other order).
   */
  readonly sampleKeysSha256: string;
  /** Samples in the run (the list's length, or --limit). */
  readonly sampleCount: number;
  readonly sampleLimit: number | null;
  readonly methods: readonly MethodSpec[];
  readonly seeds: readonly number[];
  readonly createdAt: string;
  readonly harnessVersion: string;
}

/** One evaluated (method, seed, sample): the unit the store commits. */
export interface BenchRecord {
  readonly runId: string;
  readonly suite: string;
  readonly method: string;
  readonly configHash: string;
  readonly seed: number;
  readonly sampleKey: string;
  /** Position in the sample list. */
  readonly sampleIndex: number;
  readonly family: string;
  readonly prediction: string | number;
  readonly label: string | number;
  readonly correct: boolean;
  /** Wall time of suite.evaluate (method inference/adaptation), not instance creation. */
  readonly latencyMs: number;
  readonly peakRssBytes: number;
  readonly peakRssScope: PeakRssScope;
  /** What the method instance reported as `backend` / `threads`; null when it reports nothing. */
  readonly backend: string | null;
  readonly threads: number | null;
  readonly sampleList: string;
  readonly sampleListSha256: string;
  readonly nodeVersion: string;
  /** 0 when evaluated in the harness process, 1..n for worker processes. */
  readonly worker: number;
  readonly pid: number;
  /** 1 normally; 2 or more when earlier attempts were lost to a crash and the sample was redone on resume. */
  readonly attempt: number;
  readonly extra: Readonly<Record<string, number | string>> | null;
  /** The answer at growing budgets, when the suite reports them (see SampleOutcome.budgets). */
  readonly budgets?: readonly BudgetOutcome[];
  /** The candidates behind the answer, when the suite reports them (see SampleOutcome.candidates). */
  readonly candidates?: CandidateOutcomes;
  readonly startedAt: string;
  readonly finishedAt: string;
}

/** Logged before a sample is handed to an evaluator; an attempt without a record was lost in flight. */
export interface AttemptRow {
  readonly runId: string;
  readonly method: string;
  readonly configHash: string;
  readonly seed: number;
  readonly sampleKey: string;
  readonly attempt: number;
  readonly worker: number;
  readonly pid: number;
  readonly startedAt: string;
}

/** The identity of a record within a run (the store's UNIQUE key, minus run and suite). */
export function taskKey(method: string, configHash: string, seed: number, sampleKey: string): string {
  return JSON.stringify([method, configHash, seed, sampleKey]);
}
