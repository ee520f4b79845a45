// AdamW with torch.optim.AdamW semantics (torch 1.13 `_single_tensor_adamw`, amsgrad off). Per parameter:
//   step += 1
//   p ← p · (1 − lr·wd)                       decoupled weight decay, applied first
//   m ← β₁·m + (1 − β₁)·g
//   v ← β₂·v + (1 − β₂)·g²
//   p ← p − (lr / (1 − β₁^step)) · m / (√v / √(1 − β₂^step) + eps)      eps added after the square root
// State (m, v, step) is created lazily on a parameter's first gradient, as torch does, and a parameter
// without a gradient in a step is left untouched (torch skips `p.grad is None`).
import { describeShape } from './checks.js';
import { tf } from './tf.js';

export interface AdamWHyperparams {
  /** Learning rate (torch default 1e-3). Mutable on a group: schedules set it between steps. */
  lr: number;
  /** Coefficients of the running averages of the gradient and its square (torch default [0.9, 0.999]). */
  betas: readonly [number, number];
  /** Added to the bias-corrected √v (torch default 1e-8; transformers.AdamW uses 1e-6). */
  eps: number;
  /** Decoupled weight decay (torch default 0.01; transformers.AdamW uses 0). */
  weightDecay: number;
}

export interface AdamWGroupSpec extends Partial<AdamWHyperparams> {
  readonly params: readonly tf.Variable[];
}

export interface AdamWParamGroup extends AdamWHyperparams {
  readonly params: readonly tf.Variable[];
}

/** Gradients in the order of `optimizer.params` (null/undefined skips a parameter) or keyed by variable name. */
export type AdamWGrads = readonly (tf.Tensor | null | undefined)[] | tf.NamedTensorMap;

export const ADAMW_DEFAULTS: Readonly<AdamWHyperparams> = Object.freeze({
  lr: 1e-3,
  betas: [0.9, 0.999] as const,
  eps: 1e-8,
  weightDecay: 0.01,
});

interface ParamState {
  step: number;
  expAvg: tf.Tensor;
  expAvgSq: tf.Tensor;
}

function checkHyperparams(h: AdamWHyperparams, where: string): void {
  const [beta1, beta2] = h.betas;
  if (!(h.lr >= 0) || !Number.isFinite(h.lr))
    throw new Error(`${where}: lr must be a finite number >= 0, got ${h.lr}`);
  if (!(h.eps >= 0)) throw new Error(`${where}: eps must be >= 0, got ${h.eps}`);
  if (!(beta1 >= 0 && beta1 < 1)) throw new Error(`${where}: betas[0] must be in [0, 1), got ${beta1}`);
  if (!(beta2 >= 0 && beta2 < 1)) throw new Error(`${where}: betas[1] must be in [0, 1), got ${beta2}`);
  if (!(h.weightDecay >= 0)) throw new Error(`${where}: weightDecay must be >= 0, got ${h.weightDecay}`);
}

function isGroupSpecList(
  x: readonly tf.Variable[] | readonly AdamWGroupSpec[],
): x is readonly AdamWGroupSpec[] {
  return x.length > 0 && !(x[0] instanceof tf.Variable);
}

export class AdamW {
  readonly paramGroups: AdamWParamGroup[];
  private readonly state = new Map<tf.Variable, ParamState>();
  private disposed = false;

  /**
   * @param params the trainable variables, or parameter groups each with its own hyperparameters
   *   (e.g. DePT: `[{ params: [prompt], lr: 0.3 }, { params: [A, B], lr: 1e-4 }]`).
   * @param defaults hyperparameters for groups that do not set their own.
   */
  constructor(
    params: readonly tf.Variable[] | readonly AdamWGroupSpec[],
    defaults: Partial<AdamWHyperparams> = {},
  ) {
    if (params.length === 0)
      throw new Error('AdamW got an empty parameter list; pass tf.Variables or parameter groups');
    const base: AdamWHyperparams = { ...ADAMW_DEFAULTS, ...defaults };
    checkHyperparams(base, 'AdamW');
    const specs: readonly AdamWGroupSpec[] = isGroupSpecList(params) ? params : [{ params }];
    const seen = new Set<tf.Variable>();
    this.paramGroups = specs.map((spec, g) => {
      const { params: groupParams, ...overrides } = spec;
      const group: AdamWParamGroup = { ...base, ...overrides, params: [...groupParams] };
      checkHyperparams(group, `AdamW param group ${g}`);
      if (group.params.length === 0) throw new Error(`AdamW param group ${g} has no parameters`);
      for (const p of group.params) {
        if (!(p instanceof tf.Variable))
          throw new Error(`AdamW param group ${g}: expected tf.Variable parameters`);
        if (p.dtype !== 'float32')
          throw new Error(`AdamW: parameter '${p.name}' must be float32, got ${p.dtype}`);
        if (seen.has(p))
          throw new Error(`AdamW: parameter '${p.name}' appears in more than one parameter group`);
        seen.add(p);
      }
      return group;
    });
  }

  /** All parameters, group by group: the order of array-form gradients. */
  get params(): tf.Variable[] {
    return this.paramGroups.flatMap((g) => g.params);
  }

  /** Steps taken by a parameter since its state was created (0 before its first gradient or after reset). */
  stepCount(param: tf.Variable): number {
    return this.state.get(param)?.step ?? 0;
  }

  /** One update of every parameter that has a gradient. The gradients stay owned by the caller. */
  step(grads: AdamWGrads): void {
    if (this.disposed) throw new Error('AdamW.step called after dispose()');
    const gradFor = this.resolveGrads(grads);
    for (const group of this.paramGroups) {
      for (const param of group.params) {
        const grad = gradFor(param);
        if (grad != null) this.update(param, grad, group);
      }
    }
  }

  /** Forgets all moments and step counts (episodic methods call this before every test sample). */
  reset(): void {
    for (const s of this.state.values()) {
      s.expAvg.dispose();
      s.expAvgSq.dispose();
    }
    this.state.clear();
  }

  /**
   * The moments and step count of every parameter that has state, by parameter name (copies), so a
   * checkpoint can resume training exactly (torch: optimizer.state_dict()).
   */
  exportState(): Record<string, { step: number; expAvg: Float32Array; expAvgSq: Float32Array }> {
    const out: Record<string, { step: number; expAvg: Float32Array; expAvgSq: Float32Array }> = {};
    for (const [param, s] of this.state) {
      out[param.name] = {
        step: s.step,
        expAvg: Float32Array.from(s.expAvg.dataSync() as Float32Array),
        expAvgSq: Float32Array.from(s.expAvgSq.dataSync() as Float32Array),
      };
    }
    return out;
  }

  /** Restores what exportState returned (replacing any state); names and sizes must match the parameters. */
  importState(
    state: Readonly<Record<string, { step: number; expAvg: Float32Array; expAvgSq: Float32Array }>>,
  ): void {
    const byName = new Map(this.params.map((p) => [p.name, p]));
    for (const [name, s] of Object.entries(state)) {
      const param = byName.get(name);
      if (!param) throw new Error(`AdamW.importState: '${name}' is not a parameter of this optimizer`);
      if (s.expAvg.length !== param.size || s.expAvgSq.length !== param.size) {
        throw new Error(
          `AdamW.importState: '${name}' has ${param.size} values, the state ${s.expAvg.length}`,
        );
      }
      if (!Number.isInteger(s.step) || s.step < 1) {
        throw new Error(`AdamW.importState: '${name}' step must be an integer >= 1, got ${s.step}`);
      }
    }
    this.reset();
    for (const [name, s] of Object.entries(state)) {
      const param = byName.get(name)!;
      this.state.set(param, {
        step: s.step,
        expAvg: tf.keep(tf.tensor(s.expAvg, param.shape)),
        expAvgSq: tf.keep(tf.tensor(s.expAvgSq, param.shape)),
      });
    }
  }

  /** Frees the optimizer state. The parameters belong to the caller and are not disposed. */
  dispose(): void {
    this.reset();
    this.disposed = true;
  }

  private resolveGrads(grads: AdamWGrads): (p: tf.Variable) => tf.Tensor | null | undefined {
    const params = this.params;
    if (Array.isArray(grads)) {
      const list = grads as readonly (tf.Tensor | null | undefined)[];
      if (list.length !== params.length) {
        throw new Error(
          `AdamW.step: expected ${params.length} gradients (one per parameter), got ${list.length}`,
        );
      }
      const byParam = new Map(params.map((p, i) => [p, list[i]]));
      return (p) => byParam.get(p);
    }
    const named = grads as tf.NamedTensorMap;
    const names = new Set(params.map((p) => p.name));
    for (const key of Object.keys(named)) {
      if (!names.has(key)) {
        throw new Error(
          `AdamW.step: got a gradient for '${key}', which is not a parameter of this optimizer (pass varList to tf.variableGrads)`,
        );
      }
    }
    return (p) => named[p.name];
  }

  private update(param: tf.Variable, grad: tf.Tensor, group: AdamWParamGroup): void {
    if (grad.isDisposed) throw new Error(`AdamW.step: the gradient of '${param.name}' has been disposed`);
    if (!tf.util.arraysEqual(grad.shape, param.shape)) {
      throw new Error(
        `AdamW.step: gradient of '${param.name}' has shape ${describeShape(grad.shape)}, expected ${describeShape(param.shape)}`,
      );
    }
    let s = this.state.get(param);
    if (s === undefined) {
      s = { step: 0, expAvg: tf.keep(tf.zerosLike(param)), expAvgSq: tf.keep(tf.zerosLike(param)) };
      this.state.set(param, s);
    }
    const { lr, eps, weightDecay } = group;
    const [beta1, beta2] = group.betas;
    s.step += 1;
    const biasCorrection1 = 1 - beta1 ** s.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** s.step);
    const stepSize = lr / biasCorrection1;
    const previous = s;
    const [expAvg, expAvgSq] = tf.tidy(() => {
      const decayed = tf.mul(param, tf.scalar(1 - lr * weightDecay));
      const m = tf.add(tf.mul(previous.expAvg, tf.scalar(beta1)), tf.mul(grad, tf.scalar(1 - beta1)));
      const v = tf.add(
        tf.mul(previous.expAvgSq, tf.scalar(beta2)),
        tf.mul(tf.square(grad), tf.scalar(1 - beta2)),
      );
      const denom = tf.add(tf.div(tf.sqrt(v), tf.scalar(biasCorrection2Sqrt)), tf.scalar(eps));
      param.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), tf.scalar(stepSize))));
      return [tf.keep(m), tf.keep(v)];
    });
    previous.expAvg.dispose();
    previous.expAvgSq.dispose();
    s.expAvg = expAvg!;
    s.expAvgSq = expAvgSq!;
  }
}
