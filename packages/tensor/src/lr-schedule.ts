// Learning-rate schedules. A schedule maps (step, the group's initial lr) to the lr for that step; an
// LrScheduler applies one to every group of an optimizer, as torch's LRScheduler does: the lr of step 0 is
// set at construction, and scheduler.step() after each optimizer.step() moves to the next.

export type LrSchedule = (step: number, baseLr: number) => number;

function checkSteps(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min)
    throw new Error(`${what} must be an integer >= ${min}, got ${value}`);
}

/**
 * torch.optim.lr_scheduler.CosineAnnealingLR (closed form):
 * lr = lrMin + (baseLr − lrMin) · (1 + cos(π · step / totalSteps)) / 2.
 * As in torch, past totalSteps the curve keeps following the cosine (it rises again).
 */
export function cosineAnnealing(options: { totalSteps: number; lrMin?: number }): LrSchedule {
  const { totalSteps, lrMin = 0 } = options;
  checkSteps(totalSteps, 'cosineAnnealing: totalSteps', 1);
  if (!(lrMin >= 0)) throw new Error(`cosineAnnealing: lrMin must be >= 0, got ${lrMin}`);
  return (step, baseLr) => lrMin + ((baseLr - lrMin) * (1 + Math.cos((Math.PI * step) / totalSteps))) / 2;
}

/**
 * transformers.get_linear_schedule_with_warmup: the factor rises linearly from 0 to 1 over warmupSteps,
 * then falls linearly to 0 at totalSteps (and stays 0). Note that step 0 has lr 0, exactly as there.
 */
export function linearWarmupThenDecay(options: { warmupSteps: number; totalSteps: number }): LrSchedule {
  const { warmupSteps, totalSteps } = options;
  checkSteps(warmupSteps, 'linearWarmupThenDecay: warmupSteps', 0);
  checkSteps(totalSteps, 'linearWarmupThenDecay: totalSteps', 1);
  if (warmupSteps > totalSteps) {
    throw new Error(
      `linearWarmupThenDecay: warmupSteps (${warmupSteps}) must not exceed totalSteps (${totalSteps})`,
    );
  }
  return (step, baseLr) => {
    if (step < warmupSteps) return (baseLr * step) / Math.max(1, warmupSteps);
    return baseLr * Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  };
}

export class LrScheduler {
  private readonly baseLrs: number[];
  private current = 0;

  constructor(
    private readonly optimizer: { readonly paramGroups: readonly { lr: number }[] },
    private readonly schedule: LrSchedule,
  ) {
    this.baseLrs = optimizer.paramGroups.map((g) => g.lr);
    this.apply();
  }

  /** The schedule position: 0 after construction, +1 per step(). */
  get lastStep(): number {
    return this.current;
  }

  /** The lr of each parameter group now. */
  get lrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  step(): void {
    this.current += 1;
    this.apply();
  }

  private apply(): void {
    this.optimizer.paramGroups.forEach((group, i) => {
      group.lr = this.schedule(this.current, this.baseLrs[i]!);
    });
  }
}
