// A VJP graph in an onnxruntime-node session: value and gradient of chosen outputs w.r.t. chosen inputs from
// one native run (onnxruntime's threads and memory, no JS heap limit).
import { readFile } from 'node:fs/promises';
import onnxProto, { type onnx } from 'onnx-proto';
import { InferenceSession, type Tensor } from 'onnxruntime-node';
import { type BuiltVjp, buildVjp, COTANGENT_PREFIX, GRADIENT_PREFIX, type VjpOptions } from './build-vjp.js';

export interface VjpSessionOptions extends VjpOptions {
  /** onnxruntime threads; default 2 (the CI machines' core count), as the backend's sessions. */
  readonly intraOpNumThreads?: number;
  readonly executionProviders?: InferenceSession.SessionOptions['executionProviders'];
}

export interface VjpRunResult {
  /** d⟨cotangents, outputs⟩ / d input, by input name, shaped like the input. */
  readonly grads: Record<string, Tensor>;
  /** The forward outputs (when the graph includes them). */
  readonly outputs: Record<string, Tensor>;
}

export class VjpSession {
  private constructor(
    private readonly session: InferenceSession,
    readonly built: BuiltVjp,
    private readonly options: VjpSessionOptions,
  ) {}

  static async create(model: onnx.IModelProto, options: VjpSessionOptions): Promise<VjpSession> {
    const built = buildVjp(model, options);
    const bytes = onnxProto.onnx.ModelProto.encode(built.model as onnx.ModelProto).finish();
    const session = await InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpNumThreads ?? 2,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionProviders: options.executionProviders ?? ['cpu'],
    });
    return new VjpSession(session, built, options);
  }

  get wrt(): readonly string[] {
    return this.options.wrt;
  }

  get outputNames(): readonly string[] {
    return this.built.cotangentInputs.map((n) => n.slice(COTANGENT_PREFIX.length));
  }

  /**
   * Runs forward and backward. `feeds` are the forward inputs; `cotangents` map each chosen output to its
   * cotangent (shaped like that output).
   */
  async run(
    feeds: Readonly<Record<string, Tensor>>,
    cotangents: Readonly<Record<string, Tensor>>,
  ): Promise<VjpRunResult> {
    const all: Record<string, Tensor> = { ...feeds };
    for (const name of this.outputNames) {
      const cotangent = cotangents[name];
      if (!cotangent) throw new Error(`VJP run: missing the cotangent of output '${name}'`);
      all[`${COTANGENT_PREFIX}${name}`] = cotangent;
    }
    for (const name of Object.keys(cotangents)) {
      if (!this.outputNames.includes(name)) {
        throw new Error(
          `VJP run: '${name}' is not an output of this VJP graph; outputs: ${this.outputNames.join(', ')}`,
        );
      }
    }
    const result = await this.session.run(all);
    const grads: Record<string, Tensor> = {};
    const outputs: Record<string, Tensor> = {};
    for (const [name, tensor] of Object.entries(result)) {
      if (name.startsWith(GRADIENT_PREFIX)) grads[name.slice(GRADIENT_PREFIX.length)] = tensor;
      else outputs[name] = tensor;
    }
    return { grads, outputs };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** Reads a model file (or bytes) and builds its VJP session. */
export async function loadVjpSession(
  pathOrBytes: string | Uint8Array,
  options: VjpSessionOptions,
): Promise<VjpSession> {
  const bytes = typeof pathOrBytes === 'string' ? await readFile(pathOrBytes) : pathOrBytes;
  const model = onnxProto.onnx.ModelProto.decode(bytes);
  return VjpSession.create(model, options);
}
