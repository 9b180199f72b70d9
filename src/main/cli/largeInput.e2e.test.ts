// A 1 GiB input end to end through the built CLI (issue 13): past one JavaScript string, so the
// sandbox gets it as an array of parts (of PART_BYTES, 128 MiB: eight, the last ending with the file); `rlmscope run` says on stderr how far it has read the
// file before the first step, and the model's code sees every character. The file is generated
// once here (not per test) and deleted at the end: about 20 s and 2 GiB of disk on this machine.
import { closeSync, openSync, rmSync, writeSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import type { ReplayResult } from '../debugger/replay';
import { jsonOf, runCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const h = new CliHarness();
const GIB = 1024 ** 3;
let path = '';
let bigRunId = '';

/** Log lines in 4 MiB blocks, exactly GIB bytes, ending with a line the code looks for. */
function writeGibFile(file: string): void {
  const lines: string[] = [];
  for (let i = 0, bytes = 0; bytes < 4 * 1024 * 1024; i++) {
    const line = `2026-12-06T12:00:00Z worker-${i % 97} handled request ${i} in ${i % 1000} ms\n`;
    lines.push(line);
    bytes += line.length;
  }
  const block = Buffer.from(lines.join('')).subarray(0, 4 * 1024 * 1024);
  const last = Buffer.from('\nthe very last line\n');
  const fd = openSync(file, 'w');
  try {
    for (let written = 0; written < GIB - last.length; ) written += writeSync(fd, block, 0, Math.min(block.length, GIB - last.length - written));
    writeSync(fd, last);
  } finally {
    closeSync(fd);
  }
}

beforeAll(async () => {
  await h.start();
  path = h.file('big.log', '');
  writeGibFile(path);
}, 120_000);

afterAll(async () => {
  rmSync(h.dir, { recursive: true, force: true });
  await h.stop();
});

describe('a 1 GiB input', () => {
  it('reaches the sandbox whole, in parts, with its reading shown on stderr', async () => {
    const code = [
      'const total = context.reduce((n, part) => n + part.length, 0);',
      "const last = context[context.length - 1].endsWith('the very last line\\n') || context[context.length - 2].endsWith('the very last line\\n');",
      'const seen = `${context.length} parts, ${total} characters, last line seen: ${last}`;',
      'print(seen);',
      'FINAL(seen)',
    ].join('\n');
    h.fake.setHandler((req) => ({ text: turn(req) === 0 ? repl(code) : 'FINAL(no)' }));
    // Without --json: the progress is what a person at the terminal reads.
    const result = await runCli(h.runArgs('How long is it?', [path]).filter((arg) => arg !== '--json'));
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout.trim()).toBe(`8 parts, ${GIB} characters, last line seen: true`);
    const runId = /^run (r-\S+) completed$/m.exec(result.stderr)?.[1];
    const reading = result.stderr.split('\n').filter((line) => line.startsWith('reading big.log: '));
    // About a tenth at a time, per pass (checked, then stored), and the last line says what comes next.
    expect(reading.length).toBeGreaterThanOrEqual(10);
    expect(reading.length).toBeLessThanOrEqual(24);
    expect(reading).toContain('reading big.log: checked 1.0 GB of 1.0 GB (100%)');
    expect(reading.at(-1)).toBe('reading big.log: stored 1.0 GB of 1.0 GB (100%); the sandbox reads it next');
    bigRunId = runId as string;
    const shown = await h.show(runId as string);
    // The run records the size it was split in: a replay or a fork splits it the same.
    expect(shown.run).toMatchObject({ status: 'completed', answer: `8 parts, ${GIB} characters, last line seen: true`, partBytes: 2 ** 27 });
  }, 300_000);

  it('is split again in the parts it was recorded with: a replay reproduces it, and a run from before part sizes were recorded is split in 512 MiB parts', async () => {
    expect(bigRunId).not.toBe('');
    const replayed = await runCli(['replay', bigRunId, '--json', '--db', h.dbPath]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(jsonOf<ReplayResult>(replayed)).toMatchObject({ diverged: [], modelCalls: 0 });
    // As a run recorded before issue 13 reads: no part size beside its limits.
    const db = new Database(h.dbPath);
    try {
      db.prepare(`UPDATE runs SET limits_json = json_remove(limits_json, '$.partBytes') WHERE id = ?`).run(bigRunId);
    } finally {
      db.close();
    }
    expect((await h.show(bigRunId)).run).toMatchObject({ partBytes: 2 ** 29 - 24 });
    const legacy = await runCli(['replay', bigRunId, '--json', '--db', h.dbPath]);
    expect(legacy.code, legacy.stderr).toBe(1);
    // The replay finds it first in the context itself, before any cell.
    const [first] = jsonOf<ReplayResult>(legacy).diverged;
    expect(first).toMatchObject({ expected: 'context: array of 1,073,741,824 characters in 8 items', actual: 'context: array of 1,073,741,824 characters in 3 items' });
  }, 300_000);
});
