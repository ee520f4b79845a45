/**
 * Class prototypes keyed by (class names, templates). Text features depend only on the prompts, so a model
 * encodes each class set once (transformers.js re-encodes on every call; its CLIP loops grow slowly because
 * of it). The cache owns the tensors: callers must not dispose them; `clear()` / the model's dispose() do.
 * Concurrent requests for the same key share one computation.
 */
import type { tf } from '@attune/tensor';

export class PrototypeCache {
  private readonly entries = new Map<string, Promise<tf.Tensor2D>>();
  private readonly settled = new Map<string, tf.Tensor2D>();
  private cleared = 0;

  static key(classNames: readonly string[], templates: readonly string[]): string {
    return JSON.stringify([classNames, templates]);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, compute: () => Promise<tf.Tensor2D>): Promise<tf.Tensor2D> {
    const existing = this.entries.get(key);
    if (existing) return existing;
    const generation = this.cleared;
    const pending = compute().then(
      (tensor) => {
        if (generation !== this.cleared) {
          // Cleared while computing: nobody owns the result any more.
          tensor.dispose();
          throw new Error(
            'the prototype cache was cleared (model disposed?) while these prototypes were computed',
          );
        }
        this.settled.set(key, tensor);
        return tensor;
      },
      (error: unknown) => {
        if (this.entries.get(key) === pending) this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, pending);
    return pending;
  }

  /** Disposes every cached tensor; pending computations dispose theirs when they finish. */
  clear(): void {
    this.cleared++;
    for (const tensor of this.settled.values()) tensor.dispose();
    this.settled.clear();
    this.entries.clear();
  }
}
