import { corruptionSuite } from './corruption-suite.js';

/**
 * The embedded suites: corruptions (10-way per dataset) and natural-style shifts (20-way); shift-short is
 * the README's main job, shift-full a flag away.
 */
export default [
  corruptionSuite('mini-clip-corrupt-short'),
  corruptionSuite('mini-clip-corrupt-full'),
  corruptionSuite('shift-short'),
  corruptionSuite('shift-full'),
];
