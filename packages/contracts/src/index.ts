export { CAPABILITY, type KnownCapability } from './capabilities.js';
export type {
  ExpertRemixMethod,
  LayerRouting,
  RemixInput,
  RemixOptions,
  RemixResult,
  RoutingNeighbour,
} from './expert-remix.js';
export {
  type ClassifyInput,
  type ClassifyResult,
  type ImageClassifierMethod,
  summarizeLogits,
} from './image-classifier.js';
export type {
  EvaluationReport,
  LabelledText,
  PromptPrediction,
  PromptTask,
  PromptTunerMethod,
  TrainOptions,
  TrainReport,
} from './prompt-tuner.js';
export type { RawImage } from './raw-image.js';
export type { CallOptions, LabelProbability, StageTimings } from './results.js';
export {
  type BudgetOutcome,
  type CandidateOutcomes,
  defineSuite,
  type SampleOutcome,
  SUITE_KIND,
  type Suite,
  type SuiteSpec,
  type SuiteSpecInstance,
} from './suite.js';
export type {
  Candidate,
  ChainState,
  ChainSummary,
  ComputeCost,
  CurvePoint,
  SolveInput,
  SolveOptions,
  SolveResult,
  TextAnswerMethod,
  VoteCount,
} from './text-answer.js';
