import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the built sandbox script is: ../child/harness.ts, built as its own entry
 * (electron.vite.config.ts); the host starts it by this path and never imports it. Once bundled,
 * this module lives in out/main or in a chunk under out/main/chunks, with sandbox.js in out/main;
 * from source (the tests) it is the package's out/main/sandbox.js. RLMSCOPE_HARNESS overrides
 * all of them.
 */
export function harnessPath(): string {
  const override = process.env.RLMSCOPE_HARNESS;
  if (override) return override;
  for (const candidate of [join(__dirname, 'sandbox.js'), join(__dirname, '..', 'sandbox.js')]) {
    if (existsSync(candidate)) return candidate;
  }
  return join(packageRoot(), 'out', 'main', 'sandbox.js');
}

export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'main'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
}
