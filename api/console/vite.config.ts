import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// Served by kiln-api at /console/ (same origin as /v1). The build lands in target/classes/console, which Maven packs
// into the kiln-console jar that kiln-api puts on its classpath.
export default defineConfig({
  base: '/console/',
  plugins: [svelte()],
  build: {
    outDir: 'target/classes/console',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
  },
  server: {
    proxy: { '/v1': 'http://127.0.0.1:8080' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
