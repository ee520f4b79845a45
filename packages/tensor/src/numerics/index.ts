// The tfjs-free entry, `@attune/tensor/numerics`: seeded random numbers, log-space numerics on arrays and
// statistics. Text-only code (QAlign, the bench's summaries) imports this and never loads tfjs.
export { MOST_NEGATIVE_FLOAT32 } from '../float32.js';
export {
  type DivergenceContext,
  DivergenceError,
  explainDivergence,
  NonFiniteValuesError,
  tagPhase,
  withDivergenceContext,
} from './divergence.js';
export { entropyOfProbs, logSoftmaxValues, logSumExpValues, softmaxValues } from './log-space.js';
export { createRng, Rng } from './rng.js';
export { mean, sampleStd } from './statistics.js';
