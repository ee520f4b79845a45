export { assertSuite } from './assert-suite.js';
export {
  type BenchFlags,
  type BenchRequest,
  checkQueueName,
  DEFAULT_BENCH_OUT,
  parseBenchFlags,
  parseMethods,
  parseQueueFlags,
  parseWorkerFlags,
  positiveIntegerFlag,
  type QueueTarget,
  type WorkerFlags,
  type WorkerRequest,
} from './bench-request.js';
export {
  type BenchReports,
  type BenchToReportsOptions,
  describeFailure,
  type QueueEvents,
  runBenchToReports,
  unfinishedRunProblem,
} from './bench-to-reports.js';
export { type BootstrapOptions, bootstrapMean, DEFAULT_BOOTSTRAP } from './bootstrap-mean.js';
export { canonicalJson, configHash } from './canonical-json.js';
export {
  BenchError,
  EvaluationError,
  InvalidBenchOptionError,
  MalformedSuiteError,
  ResumeMismatchError,
  RunExistsError,
  UnknownSuiteError,
  WorkerError,
} from './errors.js';
export { sha256File } from './file-hash.js';
export { type OpenedStore, openStoreForCommand } from './fresh-store.js';
export { harnessVersion } from './harness-version.js';
export { assertMethodsFitSuite } from './method-suite-fit.js';
export { checkOutputPath } from './output-paths.js';
export {
  comparePaired,
  defaultBaseline,
  type PairedComparison,
  type PairedComparisonOptions,
} from './paired-comparison.js';
export {
  collectGarbage,
  collectGarbageIfGrown,
  type PeakRssScope,
  peakRssBytes,
  resetPeakRss,
} from './peak-memory.js';
export { type PreparedSuite, prepareSuite } from './prepared-suite.js';
export type { FailedSample, QueueRunOptions } from './queue/queue-coordinator.js';
export {
  DEFAULT_QUEUE_NAME,
  jobIdFor,
  QUEUE_PREFIX,
  type QueueJobData,
  type QueueJobResult,
  type Refusal,
  type RunSetup,
} from './queue/queue-job.js';
export type { QueueWorkerExit, QueueWorkerHandle, QueueWorkerOptions } from './queue/queue-worker.js';
export { queueConnection, REDIS_PASSWORD_ENV, redactUrl } from './queue/redis-connection.js';
export { startQueueWorker } from './queue/start-queue-worker.js';
export { auc, type RankingStat, rankingStat } from './ranking-auc.js';
export { type AttemptRow, type BenchRecord, type MethodSpec, type RunInfo, taskKey } from './records.js';
export { loadRegistryFrom, type RegistrySource } from './registry-source.js';
export { renderVegaLiteSvg } from './render-svg.js';
export { budgetPlotSpec, budgetPoints, renderBudgetSvg } from './report-budget-plot.js';
export { formatAccuracy, renderSummaryMarkdown } from './report-markdown.js';
export { accuracyBars, accuracyPlotSpec, renderAccuracySvg } from './report-plot.js';
export { type BenchmarkMethod, resolveMethods } from './resolve-methods.js';
export {
  type BenchmarkResult,
  type BenchProgress,
  type RunBenchmarkOptions,
  runBenchmark,
} from './run-benchmark.js';
export { checkRunId, newRunId } from './run-id.js';
export { type EvaluationOutput, type EvaluationTask, SampleEvaluator } from './sample-evaluator.js';
export { checkSeeds, MAX_SEED, parseSeeds } from './seeds.js';
export { ResultStore, type ResultStoreOptions } from './store.js';
export {
  createSuite,
  getSuitePlugin,
  IMAGE_FOLDER_SUITE,
  IMAGES_SUITE_PREFIX,
  listSuites,
  parseSuiteConfig,
  suiteConfigFor,
  suitePluginName,
} from './suite-lookup.js';
export {
  type AccuracyStat,
  type BenchSummary,
  type BudgetStat,
  type MethodSummary,
  type SeedAccuracy,
  type SummaryOptions,
  summarizeRecords,
  summarizeRun,
} from './summary.js';
export { type ReportFiles, writeReports } from './write-reports.js';
