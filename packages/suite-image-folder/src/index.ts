export {
  formatImageFolderList,
  IMAGE_FOLDER_SUITE_NAME,
  type ImageFolderConfig,
  type ImageFolderEntry,
  imageFolderConfig,
  imageFolderSuite,
  loadPinnedImage,
  pinImageFolder,
} from './image-folder-suite.js';
