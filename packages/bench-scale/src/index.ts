export { FIRST_WORD, MAX_SYNTHETIC_CLASSES, SECOND_WORD, syntheticClassNames } from './class-names.js';
export {
  type BudgetDecision,
  type BudgetInput,
  type ChildOutcome,
  classifyFailure,
  decideBudget,
  type FailureVerdict,
  GiB,
  lastLines,
  MiB,
  parseMeminfo,
  parseProcStatus,
  readMeminfo,
  WASM_HEAP_LIMIT_BYTES,
} from './memory.js';
export { loadPhoto, loadPhotos, PHOTO_PACKAGES, type Photo, planarToInterleaved } from './photos.js';
export { GRADIENT_METHODS, MODEL, type PlanOptions, planCases, VIEWS } from './plan.js';
export {
  type CaseSummary,
  type Comparison,
  compareWithTpt,
  describePrediction,
  type Extrapolation,
  extrapolate,
  formatComparison,
  formatOverhead,
  formatResultsTable,
  type LinearFit,
  linearFit,
  type Overhead,
  overheadBeyondEncoding,
  predictAt,
  type Ratio,
  STAGES,
  summarizeCase,
  TABLE_HEADER,
  TARGET_MEMORY,
  TARGET_OVERHEAD,
  TARGET_SPEEDUP,
  tableRows,
} from './report.js';
export { PACKAGE_DIR, type RunOptions, runCase } from './runner.js';
export { rawStageTimes } from './stages.js';
export { CLIP_IMAGENET_ENSEMBLE, TPT_INIT_TEXT } from './templates.js';
export * from './types.js';
