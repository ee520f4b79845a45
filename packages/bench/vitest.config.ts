import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Some tests start real worker processes (tsx + real MNIST); give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
