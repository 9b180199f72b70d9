// A real full disk under the built command: the database on a small tmpfs, filled up by the
// test while the model is answering its first call. Needs root (mount); skipped elsewhere, where
// rlmService.diskFull.test.ts covers the same rule with SQLite's max_page_count.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PriceTable } from '../model/prices';
import { createForkLauncher } from '../sandbox/host/forkLauncher';
import { RlmService } from '../service/rlmService';
import { openRunReader } from '../store/runReader';
import { jsonOf, runCli } from '../testing/cli';
import { CliHarness } from '../testing/cliHarness';
import { repl, turn } from '../testing/serviceHarness';

const mountPoint = mkdtempSync(join(tmpdir(), 'rlm-full-disk-'));
const mounted = (() => {
  if (process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mountPoint], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
afterAll(() => {
  if (mounted) execFileSync('umount', [mountPoint]);
  rmSync(mountPoint, { recursive: true, force: true });
});

/** Writes a file until the disk has no room left. */
function fill(path: string): void {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, block);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
  } finally {
    closeSync(fd);
  }
}

describe.skipIf(!mounted)('rlmscope run on a full disk', () => {
  const h = new CliHarness();
  afterAll(() => h.stop());

  it('stops at the first failed write, exits with one clear line, and the next open marks what was left running', async () => {
    await h.start();
    const folder = join(mountPoint, 'data');
    mkdirSync(folder);
    const dbPath = join(folder, 'runs.db');
    const ballast = join(mountPoint, 'ballast');
    const input = h.file('input.txt', 'hello\n');
    h.fake.setHandler((req) => {
      if (turn(req) > 0) return { text: 'FINAL(the run went on after a failed write)' };
      fill(ballast);
      // A reply of 2 MB, recorded whole: more than the WAL holds by then. The background
      // checkpoint may have emptied the WAL before the disk filled up (the sandbox's start is an
      // idle gap), and SQLite then writes over the WAL's old pages, which needs no free space: a
      // small write could still succeed, and the run go on.
      return { text: repl(`const pad = "${'y'.repeat(2_000_000)}";\nprint("x".repeat(300000))`) };
    });
    const args = h.runArgs('q', [input]);
    args[args.indexOf(h.dbPath)] = dbPath;
    const result = await runCli(args);
    expect(result.code).toBe(1);
    expect(h.fake.requests.length).toBe(1);
    expect(jsonOf(result)).toMatchObject({ status: 'failed', error: 'could not record the run: database or disk is full' });
    expect(result.stderr.trim().split('\n').at(-1)).toMatch(/^run \S+ failed: could not record the run: database or disk is full$/);
    expect(result.stderr).not.toMatch(/^\s+at /m);

    rmSync(ballast);
    // The next writer to open the file finds the command gone and ends what it left running.
    const writer = RlmService.open({ dbPath, baseUrl: h.fake.url, rootModel: 'm', subModel: 'm', prices: PriceTable.withDefaults(), launcher: createForkLauncher() });
    const reader = openRunReader(dbPath);
    try {
      const [run] = reader.listRuns({ limit: 1, offset: 0 });
      expect(['failed', 'interrupted']).toContain(run?.status);
      expect(reader.getNodes(run?.runId ?? '').filter((node) => node.status === 'running')).toEqual([]);
    } finally {
      reader.close();
      await writer.close();
    }
  });
});
