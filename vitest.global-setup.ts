// Integration tests fork the built sandbox harness and spawn the built CLI, exactly as users
// run them; build once here when the build is missing or older than the sources.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = __dirname;
const outputs = ['out/main/sandbox.js', 'out/main/cli.js'].map((p) => join(root, p));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export default function setup(): void {
  const sources = Math.max(
    newestMtime(join(root, 'src/main')),
    newestMtime(join(root, 'src/shared')),
    newestMtime(join(root, 'resources')),
    statSync(join(root, 'electron.vite.config.ts')).mtimeMs,
  );
  const stale = outputs.some((p) => !existsSync(p) || statSync(p).mtimeMs < sources);
  if (!stale) return;
  const result = spawnSync(process.execPath, [join(root, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', RLMSCOPE_BUILD: 'main' },
  });
  if (result.status !== 0) throw new Error('electron-vite build failed; the tests need out/main');
}
