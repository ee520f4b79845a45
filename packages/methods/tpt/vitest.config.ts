import { defineConfig } from 'vitest/config';

// Tuning tests run the text tower several times; on a shared 2-core machine one can pass 5 s.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
