export { backendLabel } from './backend-label.js';
export { checkClassifyInput, elapsedSince, SerialQueue } from './classify-call.js';
export {
  buildTestTimeViews,
  checkViews,
  encodeViews,
  rawToFloatImage,
  testTimeViews,
  type ViewOptions,
  type ViewResize,
} from './views.js';
