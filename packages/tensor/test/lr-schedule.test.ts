import { describe, expect, it } from 'vitest';
import { AdamW, cosineAnnealing, LrScheduler, linearWarmupThenDecay, tf } from '../src/index.js';
import { maxRelativeError, readFixture } from './support/fixtures.js';

interface ScheduleFixture {
  cosine: { baseLrs: number[]; totalSteps: number; lrMin: number; lrs: number[][] };
  linearWarmup: { baseLrs: number[]; warmupSteps: number; totalSteps: number; lrs: number[][] };
}
const fixture = readFixture<ScheduleFixture>('schedules.json');

function runSchedule(
  baseLrs: number[],
  schedule: ReturnType<typeof cosineAnnealing>,
  steps: number,
): number[][] {
  const params = baseLrs.map(() => tf.variable(tf.zeros([1])));
  const optimizer = new AdamW(params.map((p, i) => ({ params: [p], lr: baseLrs[i]! })));
  const scheduler = new LrScheduler(optimizer, schedule);
  const seen = [scheduler.lrs];
  for (let i = 0; i < steps; i++) {
    scheduler.step();
    seen.push(optimizer.paramGroups.map((g) => g.lr));
  }
  expect(scheduler.lastStep).toBe(steps);
  optimizer.dispose();
  tf.dispose(params);
  return seen;
}

describe('learning-rate schedules', () => {
  it('cosineAnnealing follows torch CosineAnnealingLR per group, past totalSteps too', () => {
    const c = fixture.cosine;
    const lrs = runSchedule(
      c.baseLrs,
      cosineAnnealing({ totalSteps: c.totalSteps, lrMin: c.lrMin }),
      c.lrs.length - 1,
    );
    expect(maxRelativeError(lrs.flat(), c.lrs.flat())).toBeLessThan(1e-9);
    // reaches lrMin exactly at totalSteps
    expect(lrs[c.totalSteps]![0]).toBeCloseTo(c.lrMin, 12);
  });

  it('linearWarmupThenDecay follows transformers get_linear_schedule_with_warmup (lr 0 at step 0)', () => {
    const c = fixture.linearWarmup;
    const schedule = linearWarmupThenDecay({ warmupSteps: c.warmupSteps, totalSteps: c.totalSteps });
    const lrs = runSchedule(c.baseLrs, schedule, c.lrs.length - 1);
    expect(maxRelativeError(lrs.flat(), c.lrs.flat())).toBeLessThan(1e-12);
    expect(lrs[0]).toEqual([0, 0]);
    expect(lrs[c.warmupSteps]).toEqual(c.baseLrs);
  });

  it('rejects nonsensical step counts', () => {
    expect(() => cosineAnnealing({ totalSteps: 0 })).toThrow(
      'cosineAnnealing: totalSteps must be an integer >= 1, got 0',
    );
    expect(() => linearWarmupThenDecay({ warmupSteps: 5, totalSteps: 3 })).toThrow(
      'linearWarmupThenDecay: warmupSteps (5) must not exceed totalSteps (3)',
    );
  });
});
