export type { CliIo } from './io.js';
export { main } from './main.js';
export { createProgressBar, formatDuration, type ProgressBar, type ProgressBarOptions } from './progress.js';
