// "Export run" in the desktop app, run under plain Node: the service asks the save dialog (a stand-in
// for Electron's, which main passes in) and writes the file whole to the path chosen, or nothing.
// And the rules of browser mode's one-time tickets that need a clock.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportFormat } from '../../shared/api/interop';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { recordExportSample } from '../testing/exportRuns';
import { decodeOtlpJson } from '../testing/otlpDecode';
import type { Harness } from '../testing/serviceHarness';
import { tempFolder } from '../testing/tempDatabase';
import { MAX_OPEN_TICKETS, RunExports, TICKET_TTL_MS } from './runExports';

let h: Harness;
let runId: string;
/** What the stand-in dialog answers next, and what it was offered. */
let answer: string | null = null;
const offered: Array<{ fileName: string; format: ExportFormat }> = [];

beforeAll(async () => {
  ({ harness: h, runId } = await recordExportSample({
    mode: 'desktop',
    chooseExportPath: async (offer) => {
      offered.push(offer);
      return answer;
    },
  }));
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('the desktop app', () => {
  it('offers <runId>.<ext> in the dialog and writes the chosen file whole', async () => {
    const dir = tempFolder();
    answer = join(dir, 'picked.otlp.json');
    const outcome = await h.service.call('interop.export', { runId, format: 'otlp' });
    expect(offered.at(-1)).toEqual({ fileName: `${runId}.otlp.json`, format: 'otlp' });
    expect(outcome).toMatchObject({ kind: 'saved', path: answer, fileName: `${runId}.otlp.json`, partial: false });
    const text = readFileSync(answer, 'utf8');
    expect(outcome.kind === 'saved' && outcome.bytes).toBe(Buffer.byteLength(text));
    expect(decodeOtlpJson(text).spans).toHaveLength(h.service.store.getNodes(runId).length);

    answer = join(dir, 'picked.rlmscope');
    await h.service.call('interop.export', { runId, format: 'rlmscope' });
    expect(gunzipSync(readFileSync(answer)).toString('utf8')).toContain('"format":"rlmscope-run"');
  });

  it('writes nothing when the dialog is cancelled', async () => {
    const dir = tempFolder();
    answer = null;
    await expect(h.service.call('interop.export', { runId, format: 'rlms' })).resolves.toEqual({ kind: 'cancelled' });
    expect(readdirSync(dir)).toEqual([]);
  });

  it('never writes over its own database', async () => {
    answer = h.dbPath;
    await expect(h.service.call('interop.export', { runId, format: 'rlms' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `cannot write ${h.dbPath}: it is the database RLMScope keeps its runs in` });
    answer = `${h.dbPath}-wal`;
    await expect(h.service.call('interop.export', { runId, format: 'rlms' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('says the run is gone, before asking, when it was deleted', async () => {
    const asked = offered.length;
    await expect(h.service.call('interop.export', { runId: 'r-deleted', format: 'otlp' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no run r-deleted: it may have been deleted' });
    expect(offered).toHaveLength(asked);
  });

  it('on a full disk: one line saying so, and no file, not even a temp one', async (ctx) => {
    const dir = join(tempFolder(), 'tiny');
    mkdirSync(dir);
    try {
      // A 16 KiB file system; the run's log is ~100 KB.
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16k', 'tmpfs', dir], { stdio: 'ignore' });
    } catch {
      ctx.skip('mounting a small tmpfs needs root; the full disk is not simulated here');
    }
    try {
      answer = join(dir, 'full.jsonl');
      const big = writeBigRun();
      await expect(h.service.call('interop.export', { runId: big, format: 'rlms' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: `cannot write ${answer}: the disk is full` });
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A finished run with 1,000 cells, written through the real store. */
function writeBigRun(): string {
  const store = h.service.store;
  const id = 'r-big';
  const at = Date.now();
  store.createRun({ runId: id, createdAt: at, query: 'big', rootModel: 'root-model', subModel: 'sub-model', baseUrl: 'http://127.0.0.1:9/v1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' });
  store.addNode(id, { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: at, label: 'big', model: 'root-model', status: 'completed' }, { query: 'big', answer: 'done' });
  for (let i = 1; i <= 1_000; i++) store.addNode(id, { id: i + 1, parentId: 1, kind: 'cell', depth: 0, seq: i, startedAt: at + i, label: `cell ${i}`, status: 'completed' }, { code: `print(${i})`, output: `${i}\n` });
  store.finishRun(id, { status: 'completed', endedAt: at + 2_000, answer: 'done', stopReason: null, error: null });
  return id;
}

describe('browser mode tickets', () => {
  function exportsWithClock() {
    let now = 1_000_000;
    const db = (h.service as unknown as { db: ConstructorParameters<typeof RunExports>[0]['db'] }).db;
    const exports = new RunExports({ db, dbPath: h.dbPath, now: () => now });
    return { exports, advance: (ms: number) => (now += ms) };
  }
  const ticketOf = (url: string) => url.replace('/downloads/', '');

  it('expire after a minute', () => {
    const { exports, advance } = exportsWithClock();
    const fresh = exports.offerDownload({ runId, format: 'otlp' });
    const stale = exports.offerDownload({ runId, format: 'otlp' });
    if (fresh.kind !== 'download' || stale.kind !== 'download') throw new Error('expected downloads');
    advance(TICKET_TTL_MS - 1);
    expect(exports.open(ticketOf(fresh.url))).not.toBeNull();
    advance(1);
    expect(exports.open(ticketOf(stale.url))).toBeNull();
  });

  it(`keep at most ${MAX_OPEN_TICKETS} open, dropping the oldest`, () => {
    const { exports } = exportsWithClock();
    const urls = Array.from({ length: MAX_OPEN_TICKETS + 1 }, () => {
      const outcome = exports.offerDownload({ runId, format: 'rlms' });
      return outcome.kind === 'download' ? outcome.url : '';
    });
    expect(exports.open(ticketOf(urls[0]!))).toBeNull();
    expect(exports.open(ticketOf(urls[1]!))).not.toBeNull();
    expect(exports.open(ticketOf(urls.at(-1)!))).not.toBeNull();
  });
});
