#!/usr/bin/env node
// The `rlmscope` command. Built by `npm run build` (electron-vite) into out/main/cli.js.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const cli = join(__dirname, '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write('rlmscope: not built yet: run `npm run build` first\n');
  process.exit(2);
}
require(cli);
