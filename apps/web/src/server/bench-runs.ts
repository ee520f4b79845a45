// The benchmark runs of a result store (@attune/bench's SQLite store), filtered by suite, method and seed,
// summarised and plotted with the bench reports' own code (summarizeRecords, accuracyPlotSpec), so the web
// page and accuracy.svg can never disagree.
import { existsSync } from 'node:fs';
import {
  type BenchSummary,
  type MethodSummary,
  ResultStore,
  type RunInfo,
  renderAccuracySvg,
  summarizeRecords,
} from '@attune/bench';

export interface RunFilter {
  readonly suite?: string;
  readonly method?: string;
  readonly seed?: number;
}

export interface RunListing {
  readonly runId: string;
  readonly suite: string;
  readonly createdAt: string;
  readonly sampleCount: number;
  readonly methods: string[];
  readonly seeds: readonly number[];
  readonly recorded: number;
  readonly expected: number;
}

/** Reads one store file; every call opens and closes it, so a bench writing meanwhile is seen at once. */
export class BenchRuns {
  constructor(readonly path: string | undefined) {}

  get available(): boolean {
    return this.path !== undefined && existsSync(this.path);
  }

  list(filter: RunFilter = {}): RunListing[] {
    return (
      this.#with((store) =>
        store
          .listRuns(filter.suite)
          .filter((run) => matches(run, filter))
          .map((run) => ({
            runId: run.runId,
            suite: run.suite,
            createdAt: run.createdAt,
            sampleCount: run.sampleCount,
            methods: [...new Set(run.methods.map((m) => m.name))],
            seeds: run.seeds,
            recorded: store.countRecords(run.runId),
            expected: run.methods.length * run.seeds.length * run.sampleCount,
          }))
          .reverse(),
      ) ?? []
    );
  }

  /** A run's summary and plot, restricted to a method and/or seed; undefined when there is no such run. */
  async detail(
    runId: string,
    filter: Omit<RunFilter, 'suite'> = {},
  ): Promise<{ summary: BenchSummary; plotSvg: string } | undefined> {
    const summary = this.#with((store) => {
      const run = store.getRun(runId);
      if (!run) return undefined;
      const narrowed: RunInfo = {
        ...run,
        methods: run.methods.filter((m) => filter.method === undefined || m.name === filter.method),
        seeds: run.seeds.filter((s) => filter.seed === undefined || s === filter.seed),
      };
      const records = store
        .records(runId)
        .filter((r) => narrowed.methods.some((m) => m.name === r.method && m.configHash === r.configHash))
        .filter((r) => narrowed.seeds.includes(r.seed));
      return summarizeRecords(narrowed, records);
    });
    if (!summary) return undefined;
    const plotSvg = summary.methods.some((m: MethodSummary) => m.overall.mean !== null)
      ? await renderAccuracySvg(summary)
      : '';
    return { summary, plotSvg };
  }

  #with<T>(read: (store: ResultStore) => T): T | undefined {
    if (!this.available) return undefined;
    const store = ResultStore.open(this.path!, { durability: 'normal' });
    try {
      return read(store);
    } finally {
      store.close();
    }
  }
}

function matches(run: RunInfo, filter: RunFilter): boolean {
  if (filter.method !== undefined && !run.methods.some((m) => m.name === filter.method)) return false;
  if (filter.seed !== undefined && !run.seeds.includes(filter.seed)) return false;
  return true;
}
