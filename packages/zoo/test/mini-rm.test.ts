import { describe, expect, it } from 'vitest';
import { resolveModel } from '../src/index.js';
import { describeRewardFolder } from './helpers/reward-folder.js';

await describeRewardFolder('zoo:mini-rm');
const model = await resolveModel('zoo:mini-rm');

// Holds for the trained model only (the smoke model saw no correct sample, so its AUC is undefined).
describe('zoo:mini-rm card metrics', () => {
  it('ranks a correct held-out solution above an incorrect one more often than chance (AUC > 0.5)', () => {
    const heldout = model.card!.metrics.heldout as { auc: number | null; positive_rate: number };
    expect(heldout.positive_rate).toBeGreaterThan(0);
    expect(heldout.auc).toBeGreaterThan(0.5);
  });
});
