// The image-folder suite passes the suite conformance of @attune/standard-tests on a folder of 12 real
// MNIST test digits (root/<label>/*.png); an empty root is refused like any bad config.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxBackend from '@attune/backend-onnx/plugin';
import { loadMnist, writeImageFolder } from '@attune/data';
import { clipModelPlugin } from '@attune/models';
import { Registry } from '@attune/registry';
import { describeSuiteConformance } from '@attune/standard-tests';
import { afterAll } from 'vitest';
import { imageFolderSuite } from '../src/image-folder-suite.js';

const dir = mkdtempSync(join(tmpdir(), 'attune-image-conformance-'));
const root = join(dir, 'digits');
process.env.ATTUNE_CACHE_DIR = join(dir, 'cache');
writeImageFolder(loadMnist('test'), root, { count: 12 });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeSuiteConformance({
  plugin: imageFolderSuite,
  config: { root },
  // The suite needs vision-language: the registry the harness creates it from has a CLIP model (not loaded here).
  registry: () => new Registry().register(onnxBackend).register(clipModelPlugin).register(imageFolderSuite),
  minSamples: 12,
  badConfigs: [
    { label: 'limit = 0', config: { limit: 0 }, path: 'limit' },
    { label: 'seed = -1', config: { seed: -1 }, path: 'seed' },
  ],
});
