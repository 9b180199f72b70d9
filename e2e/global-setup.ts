// The e2e tests run the built app exactly as users do (out/main/cli.js serve, out/renderer);
// build once here when the build is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const outputs = ['out/main/cli.js', 'out/main/sandbox.js', 'out/main/fake-provider.js', 'out/main/electron.js', 'out/preload/index.js', 'out/renderer/index.html'].map((p) => join(root, p));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!/\.test\.tsx?$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function globalSetup(): void {
  // RLMSCOPE_E2E_NO_BUILD=1 tests out/ as it is (while the sources are mid-edit and do not build).
  if (process.env.RLMSCOPE_E2E_NO_BUILD === '1') {
    console.log('e2e: RLMSCOPE_E2E_NO_BUILD=1: testing the existing build in out/');
    if (outputs.some((p) => !existsSync(p))) throw new Error(`e2e: out/ is incomplete; missing ${outputs.filter((p) => !existsSync(p)).join(', ')}`);
    return;
  }
  const sources = Math.max(
    newestMtime(join(root, 'src')),
    newestMtime(join(root, 'resources')),
    statSync(join(root, 'electron.vite.config.ts')).mtimeMs,
  );
  const oldest = Math.min(...outputs.map((p) => (existsSync(p) ? statSync(p).mtimeMs : 0)));
  if (oldest >= sources) return;
  console.log('e2e: building the app (out/ is missing or older than src/)…');
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', RLMSCOPE_BUILD: '' },
  });
  if (result.status !== 0) throw new Error('electron-vite build failed; the e2e tests need out/main and out/renderer');
}
