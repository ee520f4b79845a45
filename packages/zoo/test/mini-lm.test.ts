import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeLmFolder } from './helpers/lm-folder.js';

const { model, config, reference } = await describeLmFolder('zoo:mini-lm');

describe('zoo:mini-lm held-out problems', () => {
  it('ships the held-out problems the card evaluates on, the first one being the reference prompt', () => {
    const lines = readFileSync(join(model.dir, 'heldout.jsonl'), 'utf8').trim().split('\n');
    const problems = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const arithmetic = model.card!.metrics.arithmetic as { heldout_problems: number };
    expect(problems).toHaveLength(arithmetic.heldout_problems);
    for (const p of problems.slice(0, 50)) {
      expect(p).toMatchObject({ id: expect.stringMatching(/^arith-\d{4}$/), question: expect.any(String) });
      expect(p.solution).toMatch(new RegExp(`The answer is ${p.answer}\\.$`));
      expect([2, 3, 4]).toContain(p.steps);
    }
    expect(config.promptTemplate!.replace('{question}', problems[0]!.question as string)).toBe(
      reference.prompt,
    );
  });
});

// These hold for the trained model only (the smoke model that precedes it is far below).
describe('zoo:mini-lm card metrics', () => {
  const metrics = model.card!.metrics as {
    arithmetic: { greedy_accuracy: number; sample_accuracy_t1: number; by_steps: Record<string, number> };
    english: { heldout_perplexity: number };
  };

  it('solves between 20 % and 60 % of held-out problems greedily, so test-time methods have room', () => {
    expect(metrics.arithmetic.greedy_accuracy).toBeGreaterThanOrEqual(0.2);
    expect(metrics.arithmetic.greedy_accuracy).toBeLessThanOrEqual(0.6);
  });

  it('solves some problems by temperature-1 sampling, per step count too, and models English', () => {
    expect(metrics.arithmetic.sample_accuracy_t1).toBeGreaterThan(0);
    expect(Object.keys(metrics.arithmetic.by_steps).sort()).toEqual(['2', '3', '4']);
    expect(metrics.arithmetic.by_steps['2']).toBeGreaterThan(0);
    // Better than a uniform guess over the vocabulary (perplexity = vocabulary size).
    expect(metrics.english.heldout_perplexity).toBeGreaterThan(1);
    expect(metrics.english.heldout_perplexity).toBeLessThan(config.vocabSize / 4);
  });
});
