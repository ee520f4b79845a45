// Which runtime a method's text gradients come from, decided once per model from its graph: the onnxruntime
// VJP graph when every op on the differentiated path has a rule, tfjs otherwise or when asked.
import type { GradientBackend } from '@attune/models';
import type { TextRuntime } from './context-gradient.js';

/** What a model says about its text encoder's VJP graph (VisionLanguageModel.onnxGradientSupport). */
export type OnnxGradientSupport = () => Promise<{
  readonly supported: boolean;
  readonly missing: readonly string[];
}>;

/**
 * Where a method's text gradients come from: 'tfjs' as asked; 'onnx' as asked (failing, naming the ops, when
 * the model's text encoder has an op without a VJP rule); 'auto' = 'onnx' when every op has a rule.
 */
export async function resolveGradients(
  model: { onnxGradientSupport?: OnnxGradientSupport },
  choice: GradientBackend,
): Promise<TextRuntime> {
  if (choice === 'tfjs') return 'tfjs';
  const support = model.onnxGradientSupport ? await model.onnxGradientSupport() : undefined;
  if (choice === 'auto') return support?.supported ? 'onnx' : 'tfjs';
  if (!support)
    throw new Error(
      "gradients: 'onnx' needs a model with an onnxruntime text encoder (onnxGradientSupport); use 'tfjs' or 'auto'",
    );
  if (!support.supported) {
    throw new Error(
      `gradients: 'onnx' cannot differentiate this text encoder: no VJP rule for ${support.missing.join(', ')}; use 'tfjs' or 'auto'`,
    );
  }
  return 'onnx';
}
