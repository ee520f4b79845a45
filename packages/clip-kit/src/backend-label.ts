// The one line every result and benchmark record carries about where a CLIP method ran: onnxruntime's
// provider and threads for the frozen towers, plus the tfjs backend where the method differentiates.
import type { VisionLanguageModel } from '@attune/models';

/** "onnxruntime-node cpu (2 threads)" alone, or "+ tfjs wasm" when the method runs a tfjs graph too. */
export function backendLabel(
  model: Pick<VisionLanguageModel, 'backends'>,
  gradients?: 'model' | { readonly tfBackend: string },
): string {
  const { inference } = model.backends;
  if (gradients === undefined) return inference;
  const tfjs = gradients === 'model' ? model.backends.gradients : `tfjs ${gradients.tfBackend}`;
  return `${inference} + ${tfjs}`;
}
