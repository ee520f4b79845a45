import type { EvaluationOutput, EvaluationTask, SampleEvaluator } from './sample-evaluator.js';

/** Something that evaluates one task at a time: the harness process itself, or a worker process. */
export interface Executor {
  /** 0 for the harness process, 1..n for workers. */
  readonly worker: number;
  readonly pid: number;
  evaluate(task: EvaluationTask): Promise<EvaluationOutput>;
  close(): Promise<void>;
}

/** Evaluates in the harness process (--workers 1). */
export class InlineExecutor implements Executor {
  readonly worker = 0;
  readonly pid = process.pid;
  constructor(private readonly evaluator: SampleEvaluator) {}
  evaluate(task: EvaluationTask): Promise<EvaluationOutput> {
    return this.evaluator.evaluate(task);
  }
  close(): Promise<void> {
    return this.evaluator.close();
  }
}
