#!/usr/bin/env node
// better-sqlite3 is a native addon: `npm install` builds it for Node's ABI, which `npm test`
// and the `rlmscope` command use. The desktop app runs it inside Electron, whose ABI differs.
// This script puts a second copy, built for Electron, in native/electron/ (the app passes it
// to better-sqlite3 as `nativeBinding`), so both work after one `npm install` with no manual
// rebuild. It runs on postinstall (best effort) and before `npm start` (required).
//
// It fetches Electron's prebuilt binary with prebuild-install, falling back to compiling
// against Electron's headers with node-gyp.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.argv.includes('--require');
const require = createRequire(join(root, 'package.json'));
const target = join(root, 'native', 'electron');

function finish(message, ok) {
  const line = `electron-native: ${message}`;
  if (ok) {
    console.log(line);
    process.exit(0);
  }
  console.error(line);
  process.exit(required ? 1 : 0);
}

function electronBinaryInstalled() {
  try {
    const binary = require('electron');
    return typeof binary === 'string' && existsSync(binary);
  } catch {
    return false;
  }
}

const electronVersion = JSON.parse(readFileSync(require.resolve('electron/package.json'), 'utf8')).version;
const sqliteDir = dirname(require.resolve('better-sqlite3/package.json'));
const sqliteVersion = JSON.parse(readFileSync(join(sqliteDir, 'package.json'), 'utf8')).version;
const stamp = `${electronVersion}/${sqliteVersion}/${process.platform}-${process.arch}`;
const stampFile = join(target, 'stamp.txt');

if (existsSync(join(target, 'better_sqlite3.node')) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
  finish(`better-sqlite3 for Electron ${electronVersion} is ready`, true);
}
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD || !electronBinaryInstalled()) {
  finish(
    'Electron is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD is set or its download failed), so the desktop app cannot start; ' +
      'the command line and the tests do not need it. Run `npm install` without ELECTRON_SKIP_BINARY_DOWNLOAD to get it.',
    false,
  );
}

const work = mkdtempSync(join(tmpdir(), 'rlmscope-native-'));
try {
  const copy = join(work, 'better-sqlite3');
  cpSync(sqliteDir, copy, { recursive: true, filter: (source) => !source.includes(`${join(sqliteDir, 'build')}`) });
  const electronArgs = ['--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform];
  try {
    execFileSync(process.execPath, [require.resolve('prebuild-install/bin.js'), ...electronArgs], { cwd: copy, stdio: 'inherit' });
  } catch {
    const gyp = process.env.npm_config_node_gyp || require.resolve('node-gyp/bin/node-gyp.js');
    execFileSync(
      process.execPath,
      [gyp, 'rebuild', '--release', `--target=${electronVersion}`, `--arch=${process.arch}`, '--dist-url=https://electronjs.org/headers'],
      { cwd: copy, stdio: 'inherit' },
    );
  }
  mkdirSync(target, { recursive: true });
  cpSync(join(copy, 'build', 'Release', 'better_sqlite3.node'), join(target, 'better_sqlite3.node'));
  writeFileSync(stampFile, stamp);
  finish(`built better-sqlite3 ${sqliteVersion} for Electron ${electronVersion}`, true);
} catch (error) {
  finish(`could not build better-sqlite3 for Electron ${electronVersion}: ${error instanceof Error ? error.message : error}`, false);
} finally {
  rmSync(work, { recursive: true, force: true });
}
