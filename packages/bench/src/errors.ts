import { closestName } from '@attune/registry';

/** Base class: every harness error names what is wrong and what would be right. */
export class BenchError extends Error {
  override readonly name: string = 'BenchError';
}

/** A benchmark option (seeds, limit, workers, methods, run id) is malformed. */
export class InvalidBenchOptionError extends BenchError {
  override readonly name = 'InvalidBenchOptionError';
}

/** The named suite is not an installed benchmark suite. */
export class UnknownSuiteError extends BenchError {
  override readonly name = 'UnknownSuiteError';
  readonly suggestion: string | undefined;
  constructor(
    readonly requested: string,
    readonly known: readonly string[],
    /** Set when a plugin of that name exists but is not a suite, e.g. 'method plugin'. */
    readonly actually?: string,
    /** Replaces the first sentence, e.g. to say which plugin a shorthand needs. */
    problem?: string,
  ) {
    const suggestion = actually || problem ? undefined : closestName(requested, known);
    const what = problem
      ? `${problem}.`
      : actually
        ? `"${requested}" is a ${actually}, not a benchmark suite.`
        : `unknown suite "${requested}".${suggestion ? ` Did you mean "${suggestion}"?` : ''}`;
    const list =
      known.length > 0 ? known.join(', ') : '(none installed: install a package that provides one)';
    super(`${what} Known suites: ${list}.`);
    this.suggestion = suggestion;
  }
}

/** A suite plugin's instance does not have the shape of a Suite. */
export class MalformedSuiteError extends BenchError {
  override readonly name = 'MalformedSuiteError';
  constructor(suiteName: string, problem: string) {
    super(`malformed suite "${suiteName}": ${problem}`);
  }
}

/** --resume found a run that does not match what was asked for; nothing was written. */
export class ResumeMismatchError extends BenchError {
  override readonly name = 'ResumeMismatchError';
}

/** A run id that already exists was given without --resume. */
export class RunExistsError extends BenchError {
  override readonly name = 'RunExistsError';
}

/** A method or suite threw while evaluating one sample. */
export class EvaluationError extends BenchError {
  override readonly name = 'EvaluationError';
}

/** A worker process failed to start, or died while evaluating. */
export class WorkerError extends BenchError {
  override readonly name = 'WorkerError';
}
