// What every classify call of a CLIP test-time method shares: the input checks, one call at a time per
// instance, and the per-stage wall times.
import type { ClassifyInput } from '@attune/contracts';
import { checkClassNames } from '@attune/models';
import type { tf } from '@attune/tensor';
import { checkViews } from './views.js';

/** Runs calls one at a time: the context and optimizer are shared by an instance's calls. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

export function elapsedSince(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/** Checks what every CLIP classify call needs before any work is done. */
export function checkClassifyInput(input: ClassifyInput<tf.Tensor4D>): void {
  if (input === null || typeof input !== 'object') {
    throw new TypeError(`expected a classify input { image, classNames, views? }, got ${input}`);
  }
  checkClassNames(input.classNames);
  if (input.views !== undefined) checkViews(input.views);
}
