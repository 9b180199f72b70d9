// A portable restore stopped part way leaves the database as it was: no run, no document, not
// one orphan chunk. Cancelled through importFile as the UI cancels (the file's
// stream destroyed mid-document, after another document was stored whole), and stopped inside a
// document after a transaction of its chunks was committed (a document is stored 4 chunks of
// 8 MiB per transaction): the items come from a generator there, as readPortable gives them,
// because exporting a 33 MiB document to gzip would take seconds.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../shared/limits';
import { PriceTable } from '../../model/prices';
import { openDatabase } from '../../store/database';
import { CHUNK_BYTES, DocumentStore } from '../../store/documentStore';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { LARGE_HASH } from '../../testing/restoreThenDie';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { importFile } from '../importRuns';
import { PortableFileError, writePortable, type PortableItem } from './index';

const TABLES = ['runs', 'nodes', 'node_payloads', 'run_inputs', 'run_documents', 'documents', 'document_chunks'];
const counts = (db: Database.Database) => TABLES.map((table) => db.prepare(`SELECT count(*) FROM ${table}`).pluck().get());
const NOTHING = TABLES.map(() => 0);

/** A finished run as readPortable gives it, using `inputs`. */
function portableRun(runId: string, inputs: { name: string; bytes: number; hash: string }[]): PortableItem {
  const run = newRun({ runId });
  return {
    kind: 'run',
    run: {
      runId, status: 'completed', stopReason: null, rootModel: run.rootModel, subModel: run.subModel, baseUrl: run.baseUrl, createdAt: 1_000, endedAt: 2_000, seed: 1,
      origin: 'native', source: null, recording: 0, limits: DEFAULT_LIMITS, pricedCostUsd: 0, unpricedCalls: 0, inputTokens: 0, outputTokens: 0, cachedTokens: 0, modelCalls: 0, iterations: 0, maxDepthReached: 0,
      inputs, query: 'q', answer: 'a', error: null,
    },
  };
}

describe('a portable restore stopped part way', () => {
  let dir: string;
  let path: string;

  // A run with a small document and a 12 MB one that gzip cannot shrink much (random hex), so
  // the file is read in several 1 MiB pieces and a cancel lands inside the large document even
  // though the file's stream reads a few MiB ahead of the restore.
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rlmscope-interrupted-'));
    const db = openDatabase(join(dir, 'source.db'));
    try {
      const store = new RunRepository(db);
      const documents = new DocumentStore(db);
      const small = documents.putText('a small document, stored whole before the cancel\n');
      const large = documents.putText(randomBytes(6 * 1024 * 1024).toString('hex'));
      store.createRun(newRun({ runId: 'two-docs' }));
      store.addInput('two-docs', 0, { name: 'small.txt', ...small });
      store.addInput('two-docs', 1, { name: 'large.txt', ...large });
      store.addNode('two-docs', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_000, label: 'root' }, { query: 'q', documents: [small.hash, large.hash] });
      store.finishRun('two-docs', { status: 'completed', endedAt: 2_000, answer: 'a', stopReason: null, error: null });
      const out = new PassThrough();
      const parts: Buffer[] = [];
      out.on('data', (part: Buffer) => parts.push(part));
      await writePortable(exportSourceFor(db), 'two-docs', out);
      path = join(dir, 'two-docs.rlmscope');
      writeFileSync(path, Buffer.concat(parts));
    } finally {
      db.close();
    }
  }, 30_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('leaves nothing when cancelled inside a document, after another was staged whole', async () => {
    const { db } = tempDatabase();
    const controller = new AbortController();
    let chunksAtCancel = -1;
    const imported = importFile(path, { store: new RunRepository(db), prices: PriceTable.withDefaults() }, {
      signal: controller.signal,
      // At the first piece read once the small document's chunk is stored.
      onProgress: () => {
        if (controller.signal.aborted) return;
        chunksAtCancel = db.prepare(`SELECT count(*) FROM document_chunks`).pluck().get() as number;
        if (chunksAtCancel > 0) controller.abort(new Error('cancelled by the user'));
      },
    });
    await expect(imported).rejects.toThrow('cancelled by the user');
    // It stopped with the small document's chunk stored: the restore took it out again.
    expect(chunksAtCancel).toBe(1);
    expect(counts(db)).toEqual(NOTHING);
  });

  it('leaves nothing when the file ends inside a document after some of its chunks were committed', async () => {
    const { db } = tempDatabase();
    const small = Buffer.from('small\n');
    const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
    const largeHash = 'f'.repeat(64);
    let committedAtEnd = 0;
    async function* chunksThenCut(): AsyncGenerator<Buffer> {
      const piece = Buffer.alloc(1024 * 1024, 0x61);
      for (let i = 0; i < 5 * (CHUNK_BYTES / piece.length); i++) yield piece;
      committedAtEnd = db.prepare(`SELECT count(*) FROM document_chunks WHERE hash = ?`).pluck().get(largeHash) as number;
      throw new PortableFileError('TRUNCATED', 'the file is incomplete: it ends inside document …');
    }
    async function* items(): AsyncGenerator<PortableItem> {
      yield portableRun('cut', [{ name: 'small.txt', bytes: small.length, hash: sha(small) }, { name: 'large.txt', bytes: 6 * CHUNK_BYTES, hash: largeHash }]);
      yield { kind: 'document', hash: sha(small), bytes: small.length, chunks: (async function* () { yield small; })() };
      yield { kind: 'document', hash: largeHash, bytes: 6 * CHUNK_BYTES, chunks: chunksThenCut() };
    }
    await expect(restorePortableRun(db, items())).rejects.toMatchObject({ reason: 'TRUNCATED' });
    expect(committedAtEnd).toBe(4);
    expect(counts(db)).toEqual(NOTHING);
  });

  it('refuses to write a run whose document, found already stored, was taken out meanwhile', async () => {
    const { db } = tempDatabase();
    const documents = new DocumentStore(db);
    const text = Buffer.from('shared by two imports\n');
    const stored = documents.putText(text.toString('utf8'));
    async function* items(): AsyncGenerator<PortableItem> {
      yield portableRun('second', [{ name: 'shared.txt', ...stored }]);
      // Already here: this restore reads it through and does not own it.
      yield { kind: 'document', ...stored, chunks: (async function* () { yield text; })() };
      // The last run that used it is deleted meanwhile, and the document with it.
      db.prepare(`DELETE FROM documents WHERE hash = ?`).run(stored.hash);
      db.prepare(`DELETE FROM document_chunks WHERE hash = ?`).run(stored.hash);
      yield { kind: 'end', nodes: 0, documents: 1 };
    }
    await expect(restorePortableRun(db, items())).rejects.toThrow(/document [0-9a-f]{64} went missing while the run was restored/);
    expect(counts(db)).toEqual(NOTHING);
  });

  it('leaves no run and no document when the process is killed inside a document, only chunks without a row', () => {
    const { db, file } = tempDatabase();
    const script = join(__dirname, '..', '..', 'testing', 'restoreThenDie.ts');
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, file], { encoding: 'utf8', timeout: 60_000 });
    expect(child.signal).toBe('SIGKILL');
    // The staged chunks of both documents (4 of the large one), and nothing that exists: a later
    // put of the same bytes overwrites them (documentStore.test.ts), as after any killed put.
    expect(counts(db)).toEqual([0, 0, 0, 0, 0, 0, 5]);
    expect(db.prepare(`SELECT count(*) FROM document_chunks WHERE hash = ?`).pluck().get(LARGE_HASH)).toBe(4);
  }, 60_000);
});
