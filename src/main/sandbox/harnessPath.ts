import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Where the built sandbox script is: beside this module once bundled (out/main), or in the
 * package's out/main when running from source (tests). RLMSCOPE_HARNESS overrides both.
 */
export function harnessPath(): string {
  const override = process.env.RLMSCOPE_HARNESS;
  if (override) return override;
  const beside = join(__dirname, 'sandbox.js');
  if (existsSync(beside)) return beside;
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
