import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

// One build for the Node entry points (the desktop shell, the `rlmscope` command, the sandbox
// harness forked as its own process by both, the fake provider), the preload and the page.
// The preload is CommonJS because a sandboxed renderer cannot load an ES module preload.
// RLMSCOPE_BUILD=main builds the Node entry points alone (the unit tests' global setup: the page,
// with Monaco, takes far longer to build and those tests do not load it).
const mainOnly = process.env.RLMSCOPE_BUILD === 'main';

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          electron: resolve(__dirname, 'src/main/electron/main.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          sandbox: resolve(__dirname, 'src/main/sandbox/child/harness.ts'),
          'fake-provider': resolve(__dirname, 'src/main/fakeProvider/cli.ts'),
        },
      },
    },
  },
  ...(mainOnly
    ? {}
    : {
        preload: {
          build: {
            outDir: 'out/preload',
            rollupOptions: {
              input: { index: resolve(__dirname, 'src/preload/index.ts') },
              output: { format: 'cjs' },
            },
          },
        },
        renderer: {
          root: 'src/renderer',
          plugins: [react()],
          // Relative asset URLs: the same build is served by the desktop app's own scheme and by
          // browser mode's HTTP server.
          base: './',
          worker: { format: 'es' },
          build: {
            outDir: 'out/renderer',
            // electron-vite leaves the page unminified; minified, Monaco's chunk is half the size
            // to load and parse when a run is opened.
            minify: true,
            // Monaco is one large chunk by nature; it is loaded locally, never from a CDN.
            chunkSizeWarningLimit: 8000,
            rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
          },
        },
      }),
});
