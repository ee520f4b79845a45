// zoo:mini-lm-t, mini-lm further pre-trained on English + DePT's task TRAIN splits under phrasings of its own:
// the shared LM-folder checks, the tokenizer it shares with mini-lm, and the skill itself, re-measured here with
// onnxruntime on held-out spam emails and number pairs under a pre-training phrasing (not read from the card).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../src/index.js';
import { loadTokenizer } from './helpers/clip-runtime.js';
import { describeLmFolder } from './helpers/lm-folder.js';
import { decoderFeeds, emptyPast, logitsAt } from './helpers/lm-runtime.js';

const { model, config } = await describeLmFolder('zoo:mini-lm-t');
const tokenizer = loadTokenizer(model);
const TASKS_DIR = join(import.meta.dirname, '..', '..', 'methods', 'dept', 'tasks');

interface TaskMetrics {
  examples: number;
  majority: number;
  phrasing_scores: number[];
  dept_template_score: number;
  dept_template_greedy: number;
}
const metrics = model.card!.metrics as {
  tasks: Record<string, TaskMetrics>;
  english: { heldout_perplexity: number };
};

describe('zoo:mini-lm-t shares mini-lm tokenizer and starts from its weights', () => {
  it('has the very tokenizer.json of zoo:mini-lm (same ids, so token-level results compare)', async () => {
    const base = await resolveModel('zoo:mini-lm');
    expect(readFileSync(model.files.tokenizer!.path, 'utf8')).toBe(
      readFileSync(base.files.tokenizer!.path, 'utf8'),
    );
    expect(model.card!.base_model).toBe('zoo:mini-lm');
  });
});

describe('zoo:mini-lm-t card metrics', () => {
  it('reports every task on its full test split, the majority class beside each figure', () => {
    expect(Object.keys(metrics.tasks).sort()).toEqual(['compare', 'reuters', 'sentiment', 'spam']);
    for (const [task, m] of Object.entries(metrics.tasks)) {
      const lines = readFileSync(join(TASKS_DIR, `${task}.test.jsonl`), 'utf8')
        .trim()
        .split('\n');
      expect(m.examples, task).toBe(lines.length);
      expect(m.phrasing_scores, task).toHaveLength(3);
      for (const v of [m.majority, ...m.phrasing_scores, m.dept_template_score, m.dept_template_greedy])
        expect(v).toBeGreaterThanOrEqual(0);
    }
    // Still an English LM: better than a uniform guess over the vocabulary.
    expect(metrics.english.heldout_perplexity).toBeLessThan(config.vocabSize / 4);
  });
});

// The skill under the recipe's first spam phrasing (attune_recipes/task_mixture.py), on held-out emails:
// log p(" spam" + end) against log p(" ham" + end), through the exported decoder graph.
describe('zoo:mini-lm-t tells spam from ham on held-out emails under its own phrasing', () => {
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  const decoderPromise = ort.InferenceSession.create(model.files.decoder!.path, options);
  afterAll(async () => (await decoderPromise).release());

  async function logLikelihood(prompt: number[], continuation: number[]): Promise<number> {
    const decoder = await decoderPromise;
    const ids = [...prompt, ...continuation];
    const out = await decoder.run(decoderFeeds(ids, 0, emptyPast(config, 1)));
    let total = 0;
    continuation.forEach((token, j) => {
      const row = logitsAt(out.logits!, prompt.length - 1 + j);
      const max = Math.max(...row);
      const logSum = Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
      total += row[token]! - logSum;
    });
    return total;
  }

  const firstTestRows = (task: string) =>
    readFileSync(join(TASKS_DIR, `${task}.test.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .slice(0, 40)
      .map((l) => JSON.parse(l) as { input: string; label: string });
  const labelIds = (word: string) => [
    ...tokenizer.encode(` ${word}`, { add_special_tokens: false }).ids,
    config.eosTokenId,
  ];
  /** The label of the two whose " word" + end scores higher after the prompt. */
  async function better(prompt: string, [a, b]: [string, string]): Promise<string> {
    const ids = tokenizer.encode(prompt).ids;
    return (await logLikelihood(ids, labelIds(a))) > (await logLikelihood(ids, labelIds(b))) ? a : b;
  }

  it('scores the right label higher on at least 70 % of the first 40 test emails (majority 50 %)', async () => {
    const rows = firstTestRows('spam');
    let correct = 0;
    for (const row of rows) {
      const email = row.input.match(/^Question: ([\s\S]*)\nIs this email spam or ham\?\nAnswer:$/)![1]!;
      correct +=
        (await better(`Email:\n${email}\nSpam filter verdict:`, ['spam', 'ham'])) === row.label ? 1 : 0;
    }
    expect(correct / rows.length).toBeGreaterThanOrEqual(0.7);
  });

  // The generated reasoning task (compare): 97.5 % on the full test split in the card; reading only the tens
  // digit would score about 91 %, chance 50 %.
  it('orders two numbers right on at least 85 % of the first 40 test pairs under its own phrasing', async () => {
    const rows = firstTestRows('compare');
    let correct = 0;
    for (const row of rows) {
      const [, a, b] = row.input.match(/^Question: Is (\d+) larger or smaller than (\d+)\?\nAnswer:$/)!;
      correct +=
        (await better(`Compared with ${b}, the number ${a} is`, ['larger', 'smaller'])) === row.label ? 1 : 0;
    }
    expect(correct / rows.length).toBeGreaterThanOrEqual(0.85);
  });
});
