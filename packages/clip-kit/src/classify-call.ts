// What every classify call of a CLIP method shares: the input checks before any work, one call at a time
// per instance (prompt tuners share their context and optimizer between calls), and per-stage wall times.
import type { ClassifyInput } from '@attune/contracts';
import { checkClassNames } from '@attune/models';
import type { tf } from '@attune/tensor';
import { checkViews } from './views.js';

/** Runs calls one at a time, in the order they were made. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** Milliseconds since `start` (a performance.now() reading), to two decimals. */
export function elapsedSince(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/** Checks what every CLIP classify call needs before any work is done: the input object, classes, views. */
export function checkClassifyInput(input: ClassifyInput<tf.Tensor4D>): void {
  if (input === null || typeof input !== 'object') {
    throw new TypeError(`expected a classify input { image, classNames, views? }, got ${input}`);
  }
  checkClassNames(input.classNames);
  if (input.views !== undefined) checkViews(input.views);
}
