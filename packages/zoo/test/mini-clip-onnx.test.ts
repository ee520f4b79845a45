import { describeClipModel } from './helpers/clip-model-suite.js';

await describeClipModel('zoo:mini-clip', {
  mnist: 0.95,
  fashion_mnist: 0.8,
  firstTenCorrect: { mnist: 9, fashion_mnist: 7 },
});
