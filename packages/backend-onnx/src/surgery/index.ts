export { extractSubgraph, GraphSurgeryError, neededNodes, producers, type SubgraphSpec } from './subgraph.js';
export {
  cutTextEmbedsEntry,
  decodeModel,
  EXPECTED_TEXT_PATTERN,
  encodeModel,
  type TextEmbedsCut,
} from './text-embeds-entry.js';
export { type CutCheck, verifyTextEmbedsCut } from './verify-cut.js';
