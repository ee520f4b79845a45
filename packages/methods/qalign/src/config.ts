// QAlign's settings and its baselines'. Source: Faria & Smith, "Sample, Don't Search: Rethinking Test-Time
// Alignment for Language Models" (2025, arXiv 2504.03790) and its official code, github.com/goncalorafaria/
// qalign on github.com/deep-spin/quest-decoding (quest/core.py, quest/proposal.py, quest/reward/model.py).
// Where this code deliberately differs, the field says so.
import { z } from '@attune/registry';
import { DEFAULT_LOG_RATIO_CLIP, DEFAULT_REWARD_CLIP } from './acceptance.js';

/** The placeholder a prompt template must contain. */
export const QUESTION_PLACEHOLDER = '{question}';

const model = z
  .string()
  .min(1)
  .default('zoo:mini-lm')
  .describe('The causal LM: a zoo id (zoo:mini-lm) or an exported model folder');
const reward = z
  .string()
  .min(1)
  .default('zoo:mini-rm')
  .describe('The reward model r(x, y): a zoo id (zoo:mini-rm) or an exported model folder');
const template = z
  .string()
  .refine((t) => t === '' || t.includes(QUESTION_PLACEHOLDER), {
    message: `a template containing ${QUESTION_PLACEHOLDER}, or "" for the LM's own prompt_template`,
  })
  .default('')
  .describe(
    `How the input becomes the LM's prompt: "" = the LM's prompt_template from its config.json ("Question: {question}\\nAnswer:" for zoo:mini-lm; the input as is when it has none), else a template with ${QUESTION_PLACEHOLDER}`,
  );
const temperature = z
  .number()
  .gt(0)
  .max(10)
  .default(1)
  .describe(
    'Sampling temperature of the LM (the paper: 1). At T != 1 the chain targets the tempered sampler p_T(y)·exp(r/β)',
  );
const maxNewTokens = z
  .number()
  .int()
  .min(1)
  .max(4096)
  .default(128)
  .describe(
    'Most tokens of an output (EOS included), also capped by the LM context; arithmetic solutions take ~30-50',
  );
const rewardClip = z
  .number()
  .gt(0)
  .default(DEFAULT_REWARD_CLIP)
  .describe("Rewards are clipped to ±rewardClip (quest's RewardModel clamp=40)");
const seed = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe('Seed of the sampling when neither solve() nor the registry gives one');
const batchSize = z.number().int().min(1).default(64).describe('Rows per LM / reward-model forward pass');
const threads = z
  .number()
  .int()
  .min(0)
  .default(0)
  .describe('onnxruntime intra-op threads for both models; 0 = every core this process may use');

/** `qalign`: the MCMC chain. */
export const qalignConfig = z.object({
  model,
  reward,
  beta: z
    .number()
    .gt(0)
    .default(1)
    .describe("β > 0 in π(y|x) ∝ p(y|x)·exp(r(x,y)/β) (the paper's math experiments: 1.0; general: 0.5)"),
  steps: z
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .default(1024)
    .describe(
      "MH steps; the chain's states are y0 plus one per step (methods.md: 1024, the paper's GSM8K runs 4096)",
    ),
  temperature,
  maxNewTokens,
  rewardClip,
  logRatioClip: z
    .number()
    .gt(0)
    .default(DEFAULT_LOG_RATIO_CLIP)
    .describe("The log acceptance ratio is clipped to ±logRatioClip (quest's logratio_clamp=20)"),
  select: z
    .enum(['majority', 'mbr'])
    .default('majority')
    .describe(
      "How the chain's states (repeats included) give the answer: majority vote over extracted answers, or minimum Bayes risk (open-ended outputs)",
    ),
  similarity: z
    .enum(['rouge1', 'answer'])
    .default('rouge1')
    .describe(
      'MBR similarity: ROUGE-1 F1 over tokens (the official FastROUGE) or exact match of the extracted answers',
    ),
  template,
  seed,
  batchSize,
  threads,
});

const sampleCount = z
  .number()
  .int()
  .min(1)
  .max(100_000)
  .default(64)
  .describe('Ancestral samples n (no paper default; the benchmark sweeps 1..256)');

/** `best-of-n`: the sample with the highest reward. */
export const bestOfNConfig = z.object({
  model,
  reward,
  n: sampleCount,
  temperature,
  maxNewTokens,
  rewardClip,
  template,
  seed,
  batchSize,
  threads,
});

/** `majority-vote`: the most frequent answer among n samples (self-consistency); no reward model. */
export const majorityVoteConfig = z.object({
  model,
  n: sampleCount,
  temperature,
  maxNewTokens,
  template,
  seed,
  batchSize,
  threads,
});

/** `weighted-majority-vote`: each answer weighted by the softmax(r/β_wmv) mass of the samples that gave it. */
export const weightedMajorityVoteConfig = z.object({
  model,
  reward,
  n: sampleCount,
  betaWmv: z
    .number()
    .gt(0)
    .default(1)
    .describe("β_wmv > 0 of the softmax(r/β_wmv) weights (the official evaluation's default 1.0)"),
  temperature,
  maxNewTokens,
  rewardClip,
  template,
  seed,
  batchSize,
  threads,
});

/** `greedy`: one greedy (argmax) decode; the floor every sampling method is compared with. */
export const greedyConfig = z.object({
  model,
  maxNewTokens,
  template,
  batchSize,
  threads,
});

export type QAlignConfig = z.output<typeof qalignConfig>;
export type BestOfNConfig = z.output<typeof bestOfNConfig>;
export type MajorityVoteConfig = z.output<typeof majorityVoteConfig>;
export type WeightedMajorityVoteConfig = z.output<typeof weightedMajorityVoteConfig>;
export type GreedyConfig = z.output<typeof greedyConfig>;
