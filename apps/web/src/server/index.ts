export { createWebApp, type WebApp, type WebAppOptions } from './app.js';
export { DEFAULT_IMAGE_LIMITS, type ImageLimits } from './image-upload.js';
export { isLoopback } from './origin-guard.js';
export type { PinnedPromptTask, PromptTaskSource } from './prompt-tasks.js';
export { DEFAULT_HOST, DEFAULT_PORT, type StartedServer, startWebServer } from './start.js';
