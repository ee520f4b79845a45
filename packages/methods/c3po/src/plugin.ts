import { CAPABILITY } from '@attune/contracts';
import { definePlugin } from '@attune/registry';
import { c3poConfig } from './config.js';
import { C3poRemixer } from './method.js';

/** C3PO: test-time re-mixing of an MoE LM's expert routing from correctly answered neighbours. */
export const c3po = definePlugin({
  name: 'c3po',
  kind: 'method',
  version: '0.1.0',
  description:
    "C3PO (Li, Li & Zhou, COLM 2025): re-mixes an MoE LM's routing weights on its last layers at the last prompt token from those of correctly answered neighbours (kernel regression, mode finding, the released cosine average, NGD through the model's routing gradient; the oracle as an upper bound).",
  config: c3poConfig,
  needs: [CAPABILITY.moeLm],
  provides: [CAPABILITY.expertRemix],
  create: async (config, context) => C3poRemixer.create(config, context),
});

export default [c3po];
