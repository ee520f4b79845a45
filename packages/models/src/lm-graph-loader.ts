// What the causal LM and the reward model both load from a zoo id or model folder: the folder checked for
// its kind, an onnxruntime session of its graph, the shared byte-level tokenizer, and the parameter count
// behind the FLOPs figures. `build` runs inside the same guard, so the backend is disposed whatever fails.
import { createOnnxBackend, type OnnxBackend, type OnnxSession } from '@attune/backend-onnx';
import {
  type CausalLMModelConfig,
  inspectOnnx,
  type MoeLMModelConfig,
  type ResolvedModel,
  type RewardModelConfig,
  resolveModel,
} from '@attune/zoo';
import { LmTokenizer } from './lm-tokenizer.js';

interface LmGraphConfigs {
  'causal-lm': CausalLMModelConfig;
  'reward-model': RewardModelConfig;
  'moe-lm': MoeLMModelConfig;
}

export interface LmGraph<K extends keyof LmGraphConfigs> {
  readonly resolved: ResolvedModel;
  readonly config: LmGraphConfigs[K];
  readonly backend: OnnxBackend;
  readonly session: OnnxSession;
  readonly tokenizer: LmTokenizer;
  readonly numParameters: number;
}

export interface LmLoadOptions {
  /** onnxruntime intra-op threads of the backend the model creates (ignored with `onnx`). */
  readonly threads?: number;
  /**
   * An onnxruntime backend to run on (e.g. the registry's 'backend-onnx', with its threads and execution
   * providers). The model owns it from here: it is disposed with the model, or when the load fails.
   */
  readonly onnx?: OnnxBackend;
}

export async function loadLmGraph<K extends keyof LmGraphConfigs, T>(
  source: string,
  expected: { kind: K; graph: 'decoder' | 'scorer'; describe: string },
  options: LmLoadOptions,
  build: (graph: LmGraph<K>) => T,
): Promise<T> {
  const resolved = await resolveModel(source);
  if (resolved.config.kind !== expected.kind) {
    throw new Error(`${source} is a ${resolved.kind} model; expected ${expected.describe}`);
  }
  const config = resolved.config as LmGraphConfigs[K];
  const backend =
    options.onnx ??
    createOnnxBackend(options.threads !== undefined ? { intraOpNumThreads: options.threads } : {});
  try {
    const graphFile = resolved.files[expected.graph]!;
    const [session, tokenizer, numParameters] = await Promise.all([
      backend.load(graphFile.path),
      LmTokenizer.load(resolved.files.tokenizer!.path, config.bosTokenId),
      // HF configs do not state it: count the graph's weights instead.
      config.numParameters ?? inspectOnnx(graphFile.path).then((s) => s.initializerElements),
    ]);
    return build({ resolved, config, backend, session, tokenizer, numParameters });
  } catch (error) {
    await backend.dispose();
    throw error;
  }
}
