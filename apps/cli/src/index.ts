export { type CliIo, main } from './main.js';
export { createProgressBar, formatDuration, type ProgressBar, type ProgressBarOptions } from './progress.js';
