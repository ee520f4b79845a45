// Every embedded corruption/shift suite passes the suite conformance of @attune/standard-tests.
import onnxBackend from '@attune/backend-onnx/plugin';
import { clipModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { describeSuiteConformance } from '@attune/standard-tests';
import plugins from '../src/plugin.js';

for (const plugin of plugins) {
  describeSuiteConformance({
    plugin,
    minSamples: 10,
    // The suites need vision-language: the harness's registry has a CLIP model (not loaded here).
    registry: () => new Registry().register(onnxBackend).register(clipModelPlugin).register(plugin),
    badConfigs: [{ label: 'labelSpace = "all"', config: { labelSpace: 'all' }, path: 'labelSpace' }],
  });
}
