import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RlmError } from '../../shared/errors';
import { closeDatabase, openDatabase } from './database';
import { openRunReader } from './runReader';
import { RunRepository } from './runRepository';
import { newRun, tempFolder, thrown } from '../testing/tempDatabase';

/** What a write would change: the file's bytes and mtime, and the names in its folder (-wal, -shm). */
function snapshot(file: string) {
  return { bytes: readFileSync(file), mtimeMs: statSync(file).mtimeMs, folder: readdirSync(dirname(file)).sort() };
}

/** A database with one finished run of two nodes and one run whose owner is gone, closed by its writer. */
function writtenDatabase(file: string): void {
  const db = openDatabase(file);
  const store = new RunRepository(db);
  store.createRun(newRun({ runId: 'r-done', createdAt: 2_000 }));
  store.addInput('r-done', 0, { name: 'a.txt', bytes: 1, hash: 'ha' });
  store.addNode('r-done', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 2_001, label: 'the query' }, { query: 'the query' });
  store.addNode('r-done', { id: 2, parentId: 1, kind: 'llm', depth: 0, seq: 0, startedAt: 2_002, label: 'turn', model: 'm', purpose: 'turn' }, {});
  store.finishCall('r-done', 2, { inputTokens: 10, outputTokens: 5, cachedTokens: 0, costUsd: 0.5, estimated: false }, { status: 'completed', endedAt: 2_003 }, { text: 'FINAL(42)' });
  store.finishRun('r-done', { status: 'completed', endedAt: 2_010, answer: 'x'.repeat(50), stopReason: null, error: null });
  // Its owner is gone (no such pid, a heartbeat from long ago): a writer would mark it interrupted.
  store.createRun(newRun({ runId: 'r-dead', createdAt: 1_000, ownerPid: 2 ** 22 + 17, ownerHost: 'gone-host' }));
  closeDatabase(db);
}

function code(fn: () => unknown): string {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(RlmError);
  return (error as RlmError).code;
}

describe('openRunReader', () => {
  it('reads what a store wrote: runs, one run, its nodes, payloads, index pages and long values', () => {
    const file = join(tempFolder(), 'runs.db');
    writtenDatabase(file);
    const writer = openDatabase(file);
    const store = new RunRepository(writer);
    const expected = {
      list: store.listRuns({ limit: 10, offset: 0 }),
      run: store.getRun('r-done'),
      nodes: store.getNodes('r-done'),
    };
    closeDatabase(writer);

    const reader = openRunReader(file);
    onTestFinished(() => reader.close());
    expect(reader.listRuns({ limit: 10, offset: 0 })).toEqual(expected.list);
    expect(reader.listRuns({ limit: 10, offset: 0 }).map((run) => run.runId)).toEqual(['r-done', 'r-dead']);
    expect(reader.listRuns({ limit: 10, offset: 0, search: 'R-DEAD' }).map((run) => run.runId)).toEqual(['r-dead']);
    expect(reader.getRun('r-done')).toEqual(expected.run);
    expect(reader.getRun('r-done')?.inputs).toEqual([{ name: 'a.txt', bytes: 1, hash: 'ha' }]);
    expect(reader.getRun('missing')).toBeNull();
    expect(reader.getNodes('r-done')).toEqual(expected.nodes);
    expect(reader.getNodes('r-done')[0]?.subtree).toMatchObject({ pricedCostUsd: 0.5, inputTokens: 10, outputTokens: 5, modelCalls: 1 });
    expect(reader.getPayload('r-done', 2)).toEqual({ text: 'FINAL(42)' });
    expect(reader.getPayload('r-done', 9)).toBeNull();
    expect(reader.readValue('r-done', 'answer', 45, 10)).toEqual({ text: 'xxxxx', offset: 45, totalChars: 50 });
    expect(reader.readValue('r-done', 'error', 0, 10)).toBeNull();
    const page = reader.getNodeIndexPage('r-done', 1, 5);
    expect({ count: page.count, lastId: page.lastId, total: page.total }).toEqual({ count: 1, lastId: 2, total: 2 });
    expect((JSON.parse(new TextDecoder().decode(page.bytes)) as unknown[][]).map((tuple) => tuple[0])).toEqual([2]);
    expect(page.bytes.constructor).toBe(Uint8Array);
    expect(reader.getNodeIndexPage('r-done', 0, 1, false)).toMatchObject({ count: 1, lastId: 1, total: null });
    expect(new TextDecoder().decode(reader.getNodeIndexPage('missing', 0).bytes)).toBe('[]');
  });

  it('leaves a run whose owner is gone as it was: marking it interrupted is for the next writer', () => {
    const file = join(tempFolder(), 'runs.db');
    writtenDatabase(file);
    const reader = openRunReader(file);
    onTestFinished(() => reader.close());
    expect(reader.getRun('r-dead')?.status).toBe('running');
  });

  it('reads a read-only file in a read-only folder, writing nothing: same bytes, mtime, and no -wal/-shm', () => {
    const folder = join(tempFolder(), 'readonly');
    mkdirSync(folder);
    const file = join(folder, 'runs.db');
    writtenDatabase(file);
    chmodSync(file, 0o444);
    chmodSync(folder, 0o555);
    // Writable again before the temp folder is removed (onTestFinished runs last-registered first).
    onTestFinished(() => chmodSync(folder, 0o755));
    const before = snapshot(file);
    expect(before.folder).toEqual(['runs.db']);

    const reader = openRunReader(file);
    expect(reader.listRuns({ limit: 10, offset: 0 })).toHaveLength(2);
    expect(reader.getNodes('r-done')).toHaveLength(2);
    reader.close();
    expect(snapshot(file)).toEqual(before);
  });

  it('says when there is no database, naming the folder when that is missing too, and creates nothing', () => {
    const dir = tempFolder();
    expect(code(() => openRunReader(join(dir, 'runs.db')))).toBe('FILE_NOT_FOUND');
    expect((thrown(() => openRunReader(join(dir, 'runs.db'))) as Error).message).toBe(`no database at ${join(dir, 'runs.db')}`);
    const deeper = join(dir, 'nowhere', 'deeper', 'runs.db');
    expect((thrown(() => openRunReader(deeper)) as Error).message).toBe(`no database at ${deeper}: the folder ${dirname(deeper)} does not exist`);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });
});
