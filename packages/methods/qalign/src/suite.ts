// The arithmetic suite of QAlign's accuracy-versus-compute benchmark, as an @attune/bench suite: the 200
// pinned held-out problems of lists/arithmetic-200.tsv, each solved once per (method, seed) by a text-answer
// method; the method's curve (answers at 1, 2, 4, … samples or chain steps) becomes the record's budgets.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CAPABILITY, defineSuite, type SampleOutcome, type TextAnswerMethod } from '@attune/contracts';
import { z } from '@attune/registry';
import { ZOO_MODELS_DIR } from '@attune/zoo';
import { loadProblemList, type Problem } from './problems.js';

export const ARITHMETIC_LIST = fileURLToPath(new URL('../lists/arithmetic-200.tsv', import.meta.url));
export const MINI_LM_HELDOUT = join(ZOO_MODELS_DIR, 'mini-lm', 'heldout.jsonl');

export const arithmeticSuiteConfig = z
  .object({
    list: z.string().min(1).default(ARITHMETIC_LIST).describe('pinned problem list (TSV: id, answer, steps)'),
    heldout: z
      .string()
      .min(1)
      .default(MINI_LM_HELDOUT)
      .describe("held-out problems the list's ids point into (JSONL: id, question, answer, steps)"),
  })
  .strict();

/** One problem solved by a text-answer method: its answer, and its curve as budgets when it has one. */
export async function solveProblem(
  method: TextAnswerMethod,
  problem: Problem,
  seed: number,
): Promise<SampleOutcome> {
  const result = await method.solve({ prompt: problem.question }, { seed });
  const hits = result.candidates?.map((c) => c.answer === problem.answer);
  const budgets = result.curve?.map((p) => ({
    budget: p.budget,
    prediction: p.answer ?? '',
    correct: p.answer === problem.answer,
    flops: p.flops,
    ...(hits ? { anyCorrect: hits.slice(0, p.candidates).some(Boolean) } : {}),
  }));
  // Scores only for independent samples ranked by the reward model (best-of-n, weighted vote): a chain's
  // states follow each other and repeat on rejection, so an AUC over them would weigh states by visits.
  const scored = result.chain === undefined && result.candidates?.some((c) => c.reward !== null);
  return {
    prediction: result.answer ?? '',
    label: problem.answer,
    correct: result.answer === problem.answer,
    extra: {
      flops: result.cost.flops,
      generatedTokens: result.cost.generatedTokens,
      rewardEvaluations: result.cost.rewardEvaluations,
      ...(result.acceptanceRate === null ? {} : { acceptanceRate: result.acceptanceRate }),
    },
    ...(budgets && budgets.length > 0 ? { budgets } : {}),
    ...(hits && hits.length > 0
      ? {
          candidates: {
            correct: hits,
            ...(scored ? { scores: result.candidates!.map((c) => c.reward) } : {}),
          },
        }
      : {}),
  };
}

export const arithmeticSuite = defineSuite({
  name: 'qalign-arithmetic',
  version: '0.1.0',
  description:
    "QAlign's benchmark: 200 pinned held-out arithmetic word problems for text-answer methods; accuracy at 1, 2, 4, … samples or chain steps",
  config: arithmeticSuiteConfig,
  needs: [CAPABILITY.textAnswer],
  create: (config) => {
    const problems = loadProblemList(config.list, config.heldout);
    return {
      sampleList: config.list,
      entries: () => problems,
      sampleKey: (p: Problem) => p.id,
      // Grouped by reasoning steps, so the report shows where longer problems fail.
      family: (p: Problem) => `${p.steps}-step`,
      evaluate: (method: TextAnswerMethod, p: Problem, seed: number) => solveProblem(method, p, seed),
    };
  },
});
