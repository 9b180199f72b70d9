import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';

// One build for three Node entry points: the desktop shell, the `rlmscope` command and the
// sandbox harness (forked as its own process by both). The preload is CommonJS because a
// sandboxed renderer cannot load an ES module preload.
export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          electron: resolve(__dirname, 'src/main/electron/main.ts'),
          cli: resolve(__dirname, 'src/main/cli/index.ts'),
          sandbox: resolve(__dirname, 'src/main/sandbox/harness.ts'),
          'fake-provider': resolve(__dirname, 'src/main/fakeProvider/cli.ts'),
        },
      },
    },
  },
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
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
  },
});
