// The text encoder over inputs_embeds on onnxruntime: a forward session (no gradient) and a VJP session
// (value and gradient w.r.t. inputs_embeds from one native run), both from the model's text_model_embeds
// file. The tfjs executor stays the reference and the fallback for graphs with an op that has no rule.
import { readFile } from 'node:fs/promises';
import type { OnnxBackend, OnnxSession } from '@attune/backend-onnx';
import { runBatchedTf } from '@attune/backend-onnx/tf';
import { missingGradientRules, VjpSession } from '@attune/backend-onnx/vjp';
import { fromOrtTensor, type tf, toOrtTensor } from '@attune/tensor';
import onnxProto from 'onnx-proto';

/** Where text gradients come from: 'auto' = onnxruntime when every op on the path has a rule, else tfjs. */
export type GradientBackend = 'auto' | 'onnx' | 'tfjs';
export const GRADIENT_BACKENDS: readonly GradientBackend[] = ['auto', 'onnx', 'tfjs'];

export function checkGradientBackend(value: unknown): GradientBackend {
  if (!GRADIENT_BACKENDS.includes(value as GradientBackend)) {
    throw new Error(
      `gradients must be one of ${GRADIENT_BACKENDS.map((g) => `'${g}'`).join(', ')}, got ${JSON.stringify(value)}`,
    );
  }
  return value as GradientBackend;
}

export interface OnnxGradientSupport {
  /** True when every op between inputs_embeds and text_embeds has a VJP rule. */
  readonly supported: boolean;
  /** Op types without a rule, each with a node that uses it. */
  readonly missing: readonly string[];
}

const WRT = 'inputs_embeds';
const OUTPUT = 'text_embeds';

/** Lazily loaded onnxruntime text-encoder sessions of one text_model_embeds file. */
export class OnnxTextEncoder {
  private forward: Promise<OnnxSession> | undefined;
  private vjp: Promise<VjpSession> | undefined;
  private support: Promise<OnnxGradientSupport> | undefined;

  constructor(
    private readonly path: string,
    private readonly backend: OnnxBackend,
  ) {}

  /** Whether the VJP graph can be built (checked once, without building it). */
  gradientSupport(): Promise<OnnxGradientSupport> {
    this.support ??= readFile(this.path).then((bytes) => {
      const model = onnxProto.onnx.ModelProto.decode(bytes);
      const missing = missingGradientRules(model, { wrt: [WRT], outputs: [OUTPUT] });
      return {
        supported: missing.size === 0,
        missing: [...missing].map(([op, node]) => `${op} (node '${node}')`),
      };
    });
    return this.support;
  }

  /** Raw text features [C,D] without a gradient. */
  async encode(inputsEmbeds: tf.Tensor3D, eotIndex: tf.Tensor1D, batchSize: number): Promise<tf.Tensor2D> {
    this.forward ??= this.backend.load(this.path);
    const session = await this.forward;
    const outputs = await runBatchedTf(
      session,
      { inputs_embeds: inputsEmbeds, eot_index: eotIndex },
      { batchSize, outputNames: [OUTPUT] },
    );
    return outputs[OUTPUT] as tf.Tensor2D;
  }

  /** d⟨upstream, text_embeds⟩ / d inputs_embeds [C,L,W], from one onnxruntime run. */
  async vjpInputsEmbeds(
    inputsEmbeds: tf.Tensor3D,
    eotIndex: tf.Tensor1D,
    upstream: tf.Tensor2D,
  ): Promise<tf.Tensor3D> {
    this.vjp ??= readFile(this.path).then((bytes) =>
      VjpSession.create(onnxProto.onnx.ModelProto.decode(bytes), {
        wrt: [WRT],
        outputs: [OUTPUT],
        includeForwardOutputs: false,
        intraOpNumThreads: this.backend.settings.intraOpNumThreads,
      }),
    );
    this.vjp.catch(() => {
      this.vjp = undefined;
    });
    const session = await this.vjp;
    const { grads } = await session.run(
      {
        inputs_embeds: toOrtTensor(inputsEmbeds),
        eot_index: toOrtTensor(eotIndex, { int64: eotIndex.dtype === 'int32' }),
      },
      { [OUTPUT]: toOrtTensor(upstream) },
    );
    return fromOrtTensor(grads[WRT]!) as tf.Tensor3D;
  }

  async release(): Promise<void> {
    const vjp = await this.vjp?.catch(() => undefined);
    await vjp?.release();
    // The forward session belongs to the backend's cache; the backend releases it.
  }
}
