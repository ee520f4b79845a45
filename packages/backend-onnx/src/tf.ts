// tfjs convenience: run a session on tfjs tensors and get tfjs tensors back, through @attune/tensor's
// zero-copy bridges. A separate entry point ('@attune/backend-onnx/tf') so plain onnxruntime users do not
// load tfjs.
import { fromOrtTensor, type tf, toOrtTensor } from '@attune/tensor';
import type { Tensor } from 'onnxruntime-node';
import { isOrtTensor } from './describe.js';
import type { OnnxSession, RunBatchedOptions } from './session.js';

/** Input name -> tfjs tensor (or an onnxruntime Tensor, passed as is). */
export type TfFeeds = Readonly<Record<string, tf.Tensor | Tensor>>;
/** Output name -> tfjs tensor; the caller owns (and disposes) them. */
export type TfOutputs = Record<string, tf.Tensor>;

function isTfTensor(value: unknown): value is tf.Tensor {
  return (
    value !== null && typeof value === 'object' && 'dataId' in value && 'dtype' in value && 'shape' in value
  );
}

/**
 * tfjs tensors as onnxruntime feeds. An int32 tensor fed to an int64 input is widened (tfjs has no int64;
 * exported text models take int64 input_ids). Anything else goes through unchanged, for checkFeeds to judge.
 */
function toOrtFeeds(session: OnnxSession, feeds: TfFeeds): Record<string, Tensor> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(feeds)) {
    if (isTfTensor(value) && !isOrtTensor(value)) {
      const meta = session.info.inputs.find((m) => m.name === name);
      const widen = value.dtype === 'int32' && meta?.isTensor === true && meta.type === 'int64';
      out[name] = toOrtTensor(value, { int64: widen });
    } else {
      out[name] = value;
    }
  }
  return out as Record<string, Tensor>;
}

function toTfOutputs(outputs: Record<string, Tensor>): TfOutputs {
  const result: TfOutputs = {};
  try {
    for (const [name, tensor] of Object.entries(outputs)) result[name] = fromOrtTensor(tensor);
  } catch (error) {
    // Do not leak the outputs already converted when a later one cannot be.
    for (const t of Object.values(result)) t.dispose();
    throw error;
  }
  return result;
}

/** OnnxSession.run on tfjs tensors. */
export async function runTf(
  session: OnnxSession,
  feeds: TfFeeds,
  outputNames?: readonly string[],
): Promise<TfOutputs> {
  return toTfOutputs(await session.run(toOrtFeeds(session, feeds), outputNames));
}

/** OnnxSession.runBatched on tfjs tensors. */
export async function runBatchedTf(
  session: OnnxSession,
  feeds: TfFeeds,
  options: RunBatchedOptions = {},
): Promise<TfOutputs> {
  return toTfOutputs(await session.runBatched(toOrtFeeds(session, feeds), options));
}
