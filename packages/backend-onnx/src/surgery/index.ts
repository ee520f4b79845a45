export {
  cutDecoderEmbedsEntry,
  type DecoderEmbedsCut,
  EXPECTED_DECODER_PATTERN,
} from './decoder-embeds-entry.js';
export { extractSubgraph, GraphSurgeryError, neededNodes, producers, type SubgraphSpec } from './subgraph.js';
export {
  cutTextEmbedsEntry,
  decodeModel,
  EXPECTED_TEXT_PATTERN,
  encodeModel,
  type TextEmbedsCut,
} from './text-embeds-entry.js';
export {
  type CutCheck,
  type DecoderCutCheck,
  verifyDecoderEmbedsCut,
  verifyTextEmbedsCut,
} from './verify-cut.js';
