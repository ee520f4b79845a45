import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Loading onnxruntime sessions and tfjs graphs takes a few hundred ms each on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
