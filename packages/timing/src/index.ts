export { formatTable } from './format-table.js';
export { measure, measureAsync, summarize, type TimingOptions, type TimingSummary } from './measure.js';
