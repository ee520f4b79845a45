// The one line every result and benchmark record carries about where a CLIP method ran: onnxruntime's
// provider and threads for the frozen towers, plus the tfjs backend where the method differentiates.
import type { VisionLanguageModel } from '@attune/models';

/**
 * "onnxruntime-node cpu (2 threads)" alone, or "+ tfjs wasm" when the method runs a tfjs graph too, and
 * ", prompts cut after EOT" when its prompt batches drop the padding (see PromptPartsOptions.padding).
 */
export function backendLabel(
  model: {
    readonly backends: Omit<VisionLanguageModel['backends'], 'textPadding'> & {
      readonly textPadding?: string;
    };
  },
  gradients?: 'model' | { readonly tfBackend: string },
): string {
  const { inference } = model.backends;
  if (gradients === undefined) return inference;
  const tfjs = gradients === 'model' ? model.backends.gradients : `tfjs ${gradients.tfBackend}`;
  const cut = model.backends.textPadding?.startsWith('cut after EOT') ? ', prompts cut after EOT' : '';
  return `${inference} + ${tfjs}${cut}`;
}
