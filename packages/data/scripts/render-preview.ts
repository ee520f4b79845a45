// Renders docs/corruptions.png for the README: every corruption (rows) at severities 1-5 (columns after
// the clean image), on MNIST and Fashion-MNIST test images. Run: `pnpm exec tsx scripts/render-preview.ts`.
import { writeFileSync } from 'node:fs';
import {
  CORRUPTION_NAMES,
  datasetImage,
  loadFashionMnist,
  loadMnist,
  renderPreviewGrid,
} from '../src/index.js';

const images = [
  datasetImage(loadMnist('test'), 0),
  datasetImage(loadFashionMnist('test'), 0),
  datasetImage(loadMnist('test'), 1),
  datasetImage(loadFashionMnist('test'), 1),
];
const path = new URL('../docs/corruptions.png', import.meta.url);
writeFileSync(path, renderPreviewGrid(images, CORRUPTION_NAMES, [1, 2, 3, 4, 5], { scale: 3 }));
console.log(path.pathname);
