export { corruptionSuite, sampleFamily, sampleKey } from './corruption-suite.js';
