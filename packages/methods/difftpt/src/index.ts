export { type DiffTptConfig, difftptConfig, difftptFields, type ViewFilter } from './config.js';
export {
  type CosineEntropySelection,
  codeSelector,
  cosineToFirstRow,
  paperSelector,
  type SeparateFilterSelection,
  selectByLogitCosine,
  selectSeparately,
  type ViewLayout,
  viewCount,
} from './difftpt.js';
export { DiffTptClassifier, type DiffTptInput, difftptPlugin } from './plugin.js';
export { centreView, checkGeneratedViews, readVariationFolder, variationPath } from './variations.js';
