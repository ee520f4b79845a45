// The learnable context of TPT and its optimizer, reset before every test sample (tpt_classification.py:
// `model.reset()` copies ctx_init_state back into ctx and `optimizer.load_state_dict(optim_state)` restores
// the fresh AdamW state, before every test_time_tuning call).
import type { GradientBackend, PaddingMode, PromptParts, VisionLanguageModel } from '@attune/models';
import { AdamW, tf } from '@attune/tensor';
import { type ClassChunk, classChunkOf } from './class-chunks.js';
import { type TextRuntime, textFeaturesOn } from './context-gradient.js';
import { resolveGradients } from './resolve-gradients.js';

export interface EpisodicPromptOptions {
  /** Words the context starts from; '' for a random N(0, 0.02²) init of nCtx vectors. */
  readonly initText: string;
  readonly nCtx: number;
  /** Seed of a random init (fixed for the instance, as TPT draws it once when it builds the model). */
  readonly seed: number;
  readonly lr: number;
  readonly weightDecay: number;
  readonly eps: number;
  /** Prompts per pass of the text encoder, or 'auto' (see tunePrompt). */
  readonly classChunk: ClassChunk;
  /** Where text gradients and gradient-free passes run (default 'auto': onnxruntime when it can). */
  readonly gradients?: GradientBackend;
  /** The prompts' sequence length (see PromptPartsOptions.padding); default 'auto'. */
  readonly padding?: PaddingMode;
}

/**
 * One learnable context [n,W] shared by all classes, its AdamW, and the prompt parts of the current class
 * list (rebuilt when the class names change, like TPT's reset_classnames).
 */
export class EpisodicPrompt {
  private parts: PromptParts | undefined;
  private partsKey = '';
  private initialFeatures: tf.Tensor2D | undefined;
  private variable: tf.Variable<tf.Rank.R2> | undefined;
  private adamw: AdamW | undefined;
  private disposed = false;
  private resolved: Promise<TextRuntime> | undefined;

  constructor(
    private readonly model: Pick<VisionLanguageModel, 'promptParts' | 'encodeTextEmbeds'> &
      Partial<Pick<VisionLanguageModel, 'encodeTextEmbedsOnnx' | 'textEmbedsVjp' | 'onnxGradientSupport'>>,
    private readonly options: EpisodicPromptOptions,
  ) {}

  /** The prompt parts for `classNames`, built on first use and kept while the class list stays the same. */
  async partsFor(classNames: readonly string[]): Promise<PromptParts> {
    this.assertUsable();
    const key = JSON.stringify(classNames);
    if (this.parts && this.partsKey === key) return this.parts;
    const { initText, nCtx, seed, padding } = this.options;
    const parts = await this.model.promptParts(
      classNames,
      initText === '' ? { nCtx, seed, padding } : { initText, nCtx, padding },
    );
    this.parts?.dispose();
    this.initialFeatures?.dispose();
    this.initialFeatures = undefined;
    this.parts = parts;
    this.partsKey = key;
    return parts;
  }

  /** Where the text encoder runs: the options' `gradients` resolved against the model (once). */
  gradientBackend(): Promise<TextRuntime> {
    this.resolved ??= resolveGradients(this.model, this.options.gradients ?? 'auto');
    this.resolved.catch(() => {
      this.resolved = undefined;
    });
    return this.resolved;
  }

  /**
   * Raw text features [C,D] of the current parts' prompts at the initial context, computed on first use and
   * kept with the parts: every sample starts from that context, so tunePrompt's chunked paths skip their
   * first pass without the tape. Undefined on tfjs when the class set fits in one chunk (one taped pass then
   * gives them anyway); on onnxruntime always kept (a forward run costs the same either way). Owned here: do
   * not dispose.
   */
  async initialTextFeatures(): Promise<tf.Tensor2D | undefined> {
    this.assertUsable();
    const parts = this.parts;
    if (!parts) throw new Error('EpisodicPrompt.initialTextFeatures called before partsFor(classNames)');
    const runtime = await this.gradientBackend();
    const classChunk = classChunkOf(this.options.classChunk, parts);
    if (runtime === 'tfjs' && parts.prefix.shape[0] <= classChunk) return undefined;
    this.initialFeatures ??= await textFeaturesOn(runtime, this.model, parts, parts.ctxInit, classChunk);
    return this.initialFeatures;
  }

  /** The per-class-set work of a first call, done ahead: the prompt parts and their initial text features. */
  async prepare(classNames: readonly string[]): Promise<void> {
    await this.partsFor(classNames);
    await this.initialTextFeatures();
  }

  /** Prompts per pass of the text encoder, or 'auto'. */
  get classChunk(): ClassChunk {
    return this.options.classChunk;
  }

  /**
   * Puts ctx back to the parts' initial context and forgets the optimizer's moments and step counts. Call it
   * before tuning on every sample.
   */
  reset(parts: PromptParts): void {
    this.assertUsable();
    if (!this.variable) {
      // tfjs names variables uniquely itself; AdamW and tf.variableGrads key gradients by that name.
      this.variable = tf.variable(parts.ctxInit, true) as tf.Variable<tf.Rank.R2>;
      const { lr, weightDecay, eps } = this.options;
      this.adamw = new AdamW([this.variable], { lr, weightDecay, eps });
    } else {
      if (!tf.util.arraysEqual(this.variable.shape, parts.ctxInit.shape)) {
        throw new Error(
          `context init [${parts.ctxInit.shape.join(',')}] does not match the context [${this.variable.shape.join(',')}] of this instance`,
        );
      }
      this.variable.assign(parts.ctxInit);
    }
    this.adamw!.reset();
  }

  /** The context vectors [n,W] (valid after reset). */
  get ctx(): tf.Variable<tf.Rank.R2> {
    if (!this.variable) throw new Error('EpisodicPrompt.ctx read before reset(parts) created it');
    return this.variable;
  }

  get optimizer(): AdamW {
    if (!this.adamw) throw new Error('EpisodicPrompt.optimizer read before reset(parts) created it');
    return this.adamw;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.parts?.dispose();
    this.initialFeatures?.dispose();
    this.adamw?.dispose();
    this.variable?.dispose();
    this.parts = undefined;
    this.initialFeatures = undefined;
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this TPT prompt has been disposed');
  }
}
