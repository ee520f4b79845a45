export {
  type AcceptanceOptions,
  acceptanceProbability,
  accepts,
  type ChainPoint,
  clipReward,
  DEFAULT_LOG_RATIO_CLIP,
  DEFAULT_REWARD_CLIP,
  logAcceptance,
} from './acceptance.js';
export { extractAnswer } from './answer.js';
export { computeCost, forwardFlops } from './compute.js';
export {
  type BestOfNConfig,
  bestOfNConfig,
  type GreedyConfig,
  greedyConfig,
  type MajorityVoteConfig,
  majorityVoteConfig,
  type QAlignConfig,
  QUESTION_PLACEHOLDER,
  qalignConfig,
  type WeightedMajorityVoteConfig,
  weightedMajorityVoteConfig,
} from './config.js';
export { chainCurve, type FlopsPerToken, powersOfTwo, sampleVoteCurve } from './curve.js';
export {
  type Completion,
  type ContinueOptions,
  callSeed,
  contentLength,
  continueRows,
  type EncodedPrompt,
  encodePrompt,
  formatPrompt,
  joinCompletion,
  outputBudget,
  type ScoredCompletion,
  type ScoredRows,
  scoreRows,
  type TextLM,
  type TextRewardModel,
  toCompletion,
} from './generation.js';
export {
  GreedyMethod,
  type Logger,
  QAlignMethod,
  type QAlignSettings,
  type SampleSettings,
  SampleVoteMethod,
  type SharedSettings,
  type Strategy,
  sampleCompletions,
} from './method.js';
export {
  bestOfNPlugin,
  greedyPlugin,
  majorityVotePlugin,
  qalignPlugin,
  weightedMajorityVotePlugin,
} from './plugin.js';
export { loadProblemList, type Problem, ProblemListError, readHeldout } from './problems.js';
export {
  acceptanceRate,
  type ChainOptions,
  type ChainSpec,
  type ChainTrace,
  chainStates,
  runChains,
} from './qalign.js';
export {
  ARITHMETIC_LIST,
  arithmeticSuite,
  arithmeticSuiteConfig,
  MINI_LM_HELDOUT,
  solveProblem,
} from './suite.js';
export {
  type Answer,
  answerMatch,
  argmaxReward,
  bestOfN,
  majorityVote,
  mbrSelect,
  rouge1,
  type Similarity,
  softmaxWeights,
  tally,
  type VoteResult,
  weightedMajorityVote,
} from './votes.js';
