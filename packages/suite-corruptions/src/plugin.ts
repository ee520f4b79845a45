import { corruptionSuite } from './corruption-suite.js';

/** The embedded suites: the short one is the README's main job, the full one is a flag away. */
export default [corruptionSuite('mini-clip-corrupt-short'), corruptionSuite('mini-clip-corrupt-full')];
