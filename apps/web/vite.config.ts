import { defineConfig } from 'vite';

// The UI is built to dist/ui and served by the app's own server (no dev server in production).
export default defineConfig({
  root: 'src/ui',
  base: '/',
  build: { outDir: '../../dist/ui', emptyOutDir: true, sourcemap: false, target: 'es2022' },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
