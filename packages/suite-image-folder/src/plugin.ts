import { imageFolderSuite } from './image-folder-suite.js';

/** One suite plugin; `attune bench images:<dir>` is the same suite with root set to <dir>. */
export default [imageFolderSuite];
