// The one tfjs instance every attune package uses. tfjs keeps its engine and its kernel and gradient
// registries on the global object, so importing tfjs-core from several packages still shares them;
// re-exporting it from here also keeps every package on the same version.
//
// Side effects, both needed for a bare `import { tf } from '@attune/tensor'` to train anything:
// - the pure-JS cpu backend registers itself (priority 1). A faster backend registered later with a
//   higher priority, or chosen with `tf.setBackend`, takes over (see @attune/backend-tfjs).
// - the gradient functions of the core ops register themselves. tfjs-core's Node build ships none (its
//   ESM register_all_gradients cannot be imported by Node), so they come from the @tensorflow/tfjs
//   bundle, which registers them against this same tfjs-core.
//
// The cpu backend prints a banner on its first tensor ("install our node backend"), advice that cannot be
// followed where tfjs-node cannot install and that attune's backend choice already covers (every record
// names the tfjs backend it ran on). Its `firstUse` flag is the only switch, so it is held false here.
import { MathBackendCPU } from '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';

Object.defineProperty(MathBackendCPU.prototype, 'firstUse', {
  configurable: true,
  get: () => false,
  set: () => undefined,
});

export { tf };
