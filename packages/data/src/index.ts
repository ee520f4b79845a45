export {
  type AugmentedViews,
  type AugmentViewsOptions,
  augmentViews,
  augmentViewsWith,
  CLIP_MEAN,
  CLIP_STD,
  type CropToResize,
  type Normalization,
  viewsToTensor,
} from './augment/augment-views.js';
export { AUGMIX_OP_NAMES, AUGMIX_OPS, type AugMixOp } from './augment/augmix-ops.js';
export { type ByteImage, interleavedToByteImage } from './augment/byte-image.js';
export { type CropBox, type ResizedCropRange, sampleResizedCropBox } from './augment/random-resized-crop.js';
export { type PlannedCrop, planViews, type ViewPlan } from './augment/view-plan.js';
export {
  CORRUPTION_FAMILIES,
  CORRUPTION_NAMES,
  type CorruptionFamily,
  type CorruptionName,
  type CorruptOptions,
  checkCorruptionName,
  checkSeverity,
  corrupt,
  corruptionFamily,
  DETERMINISTIC_CORRUPTIONS,
  isCorruptionName,
  SEVERITIES,
  type Severity,
} from './corruptions/corrupt.js';
export { SEVERITY_TABLE } from './corruptions/severity-table.js';
export * from './image.js';
export { type PreviewGridOptions, renderPreviewGrid } from './preview-grid.js';
export { checkSeed, poisson, seedFor } from './random.js';
export {
  DATASET_NAMES,
  type DatasetName,
  FASHION_MNIST_CLASS_NAMES,
  fashionMnistDirectory,
  isDatasetName,
  loadDataset,
  loadFashionMnist,
  loadMnist,
  MNIST_CLASS_NAMES,
  mnistDirectory,
} from './readers/datasets.js';
export { encodeIdx, type IdxArray, type IdxType, readIdx } from './readers/idx.js';
export {
  CLASSES_FILE,
  type ClassSpec,
  type ImageCollection,
  type ListedImage,
  parseClassesFile,
  parseClassSpec,
  type ScanImagesOptions,
  scanImages,
  type UnreadableImage,
} from './readers/image-collection.js';
export {
  DEFAULT_MAX_IMAGE_PIXELS,
  decodeImage,
  decodeJpeg,
  decodePng,
  IMAGE_EXTENSIONS,
  maxImagePixels,
  type ReadImageOptions,
  readImageFile,
} from './readers/image-file.js';
export {
  type ImageFolderDataset,
  type ImageFolderEntry,
  type ImageFolderListing,
  listImageFolder,
  loadImageFolder,
} from './readers/image-folder.js';
export { type ImageFormat, type ImageSize, imageSize, sniffImageFormat } from './readers/image-header.js';
export { formatJsonl, parseJsonl, readJsonl } from './readers/jsonl.js';
export {
  datasetImage,
  type ImageDataset,
  readLabelledIdx,
  SPLITS,
  type Split,
} from './readers/labelled-idx.js';
export { type WriteImageFolderOptions, writeImageFolder } from './readers/write-image-folder.js';
export {
  checkRenditionName,
  DETERMINISTIC_RENDITIONS,
  isRenditionName,
  RENDITION_FAMILIES,
  RENDITION_NAMES,
  RENDITION_TABLE,
  type RenderOptions,
  type RenditionFamily,
  type RenditionName,
  render,
  renditionFamily,
} from './renditions/rendition.js';
export {
  jointClassNames,
  LABEL_SPACES,
  type LabelSpace,
  type LoadedSample,
  type LoadSampleOptions,
  loadSample,
} from './samples/load-sample.js';
export { type MakeSampleListOptions, makeSampleList } from './samples/make-sample-list.js';
export {
  formatSampleList,
  NO_CORRUPTION,
  parseSampleList,
  readSampleList,
  SAMPLE_LIST_COLUMNS,
  type SampleEntry,
  writeSampleList,
} from './samples/sample-list.js';
export {
  getSuite,
  loadSuite,
  SUITE_NAMES,
  SUITES,
  type SuiteDescriptor,
  type SuiteName,
} from './samples/suites.js';
