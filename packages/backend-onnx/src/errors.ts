/** Base class, so callers can catch everything this package throws about models and feeds. */
export class OnnxBackendError extends Error {
  override readonly name: string = 'OnnxBackendError';
}

/** A model could not be loaded: missing file, not an ONNX model, or onnxruntime refused it. */
export class ModelLoadError extends OnnxBackendError {
  override readonly name = 'ModelLoadError';
  constructor(
    readonly model: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Feeds do not match the model's inputs; `problems` holds one line per mismatch. */
export class FeedError extends OnnxBackendError {
  override readonly name = 'FeedError';
  constructor(
    readonly model: string,
    readonly problems: readonly string[],
  ) {
    super(`${problems.join('\n')}\n(model ${model})`);
  }
}
