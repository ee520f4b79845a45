export { backendLabel } from './backend-label.js';
export { checkClassifyInput, elapsedSince, SerialQueue } from './classify-call.js';
export { checkViews, encodeViews, rawToFloatImage, testTimeViews, type ViewOptions } from './views.js';
