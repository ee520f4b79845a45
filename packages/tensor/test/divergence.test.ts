// Non-finite values in a loop become an error naming where it happened and the setting likely responsible.
import { describe, expect, it } from 'vitest';
import { assertUsableLogits } from '../src/checks.js';
import {
  DivergenceError,
  explainDivergence,
  NonFiniteValuesError,
  tagPhase,
  withDivergenceContext,
} from '../src/numerics/divergence.js';
import { tf } from '../src/tf.js';

const context = {
  method: 'tpt',
  phase: 'the prediction after 1 step',
  settings: { lr: 1e30, lambda: 0 },
  defaults: { lr: 5e-3, lambda: 0 },
};

describe('divergence errors', () => {
  it('the finite-value checks throw NonFiniteValuesError', () => {
    const logits = tf.tensor2d([[0, Number.NaN]]);
    expect(() => assertUsableLogits(logits)).toThrow(NonFiniteValuesError);
    logits.dispose();
  });

  it('names the method, the innermost phase, and only the settings changed from their defaults', () => {
    let caught: unknown;
    try {
      tagPhase(new NonFiniteValuesError('logits contain NaN at index [0,0]'), 'step 2 of 4');
    } catch (error) {
      try {
        tagPhase(error, 'the outer loop'); // the inner tag wins
      } catch (again) {
        caught = again;
      }
    }
    const explained = explainDivergence(caught, context);
    expect(explained).toBeInstanceOf(DivergenceError);
    expect((explained as Error).message).toBe(
      'tpt: the values became non-finite at step 2 of 4 (logits contain NaN at index [0,0]); the setting most likely responsible: lr = 1e+30 (default 0.005) — a smaller value keeps the updates finite',
    );
    expect((explained as Error).cause).toBe(caught);
  });

  it('uses the context phase when the error has none, and leaves other errors alone', async () => {
    await expect(
      withDivergenceContext(context, () => {
        throw new NonFiniteValuesError('logits contain +Infinity');
      }),
    ).rejects.toThrow(
      /^tpt: the values became non-finite at the prediction after 1 step \(logits contain \+Infinity\)/,
    );
    const other = new Error('expected image tensor [N,3,H,W]');
    expect(explainDivergence(other, context)).toBe(other);
    await expect(withDivergenceContext(context, () => 7)).resolves.toBe(7);
  });
});
