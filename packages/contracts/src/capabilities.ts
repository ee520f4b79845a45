// The capability names plugins declare in `needs` and `provides`. One place, so a typo is a type error
// rather than an unmet need at run time. A plugin may still declare a capability not listed here.

export const CAPABILITY = Object.freeze({
  // Backends
  /** Runs an ONNX graph forward (backend-onnx, backend-tfjs). */
  onnxInference: 'onnx-inference',
  /** Gradients of a graph's outputs with respect to its inputs, weights frozen (backend-tfjs). */
  inputGrad: 'input-grad',

  // Models
  /** A CLIP-style VisionLanguageModel (@attune/models 'clip'). */
  visionLanguage: 'vision-language',
  /** An ImageVariationModel: diffusion variations of an image (@attune/models 'image-variation'). */
  imageVariation: 'image-variation',
  /** A CausalLM: sampling with a KV cache, token log-probs (@attune/models 'causal-lm'). */
  causalLm: 'causal-lm',
  /** A mixture-of-experts causal LM whose router distribution can be read and overridden. */
  moeLm: 'moe-lm',
  /** A RewardModel scoring (prompt, completion) pairs (@attune/models 'reward-model'). */
  rewardModel: 'reward-model',

  // Methods
  /** Creates an ImageClassifierMethod. */
  imageClassification: 'image-classification',
  /** Adapts at test time (per sample, episodic unless its config says otherwise). */
  testTimeAdaptation: 'test-time-adaptation',
  /** Creates a TextAnswerMethod. */
  textAnswer: 'text-answer',
  /** Creates an ExpertRemixMethod (C3PO). */
  expertRemix: 'expert-remix',
  /** Creates a PromptTunerMethod (DePT, vanilla prompt tuning). */
  promptTuning: 'prompt-tuning',

  // Suites
  /** Creates a Suite: found by the benchmark harness. */
  benchmarkSuite: 'benchmark-suite',
} as const);

export type KnownCapability = (typeof CAPABILITY)[keyof typeof CAPABILITY];
