// A native run, made through the real service, sandbox and fake provider, exported as a portable
// file and restored into a fresh database: equal node for node, payload for payload, document
// byte for byte, read back through RunReader on both sides. And files that must be refused whole.
import { PassThrough } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../store/database';
import { DocumentStore } from '../../store/documentStore';
import { restorePortableRun } from '../../store/portableRestore';
import { RunReader } from '../../store/runReader';
import { makeSampleRun, CHILD_CONTEXT, FIRST_INPUT } from '../../testing/sampleRun';
import type { Harness } from '../../testing/serviceHarness';
import { tempDatabase } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { PortableFileError, readPortable, writePortable } from './index';

let harness: Harness;
let runId: string;
let source: Database.Database;
let file: Buffer;

async function exportRun(db: Database.Database, id: string): Promise<Buffer> {
  const out = new PassThrough();
  const parts: Buffer[] = [];
  out.on('data', (part: Buffer) => parts.push(part));
  await writePortable(exportSourceFor(db), id, out);
  return Buffer.concat(parts);
}

async function* bytes(data: Buffer, size = 4096): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) yield data.subarray(at, at + size);
}

beforeAll(async () => {
  ({ harness, runId } = await makeSampleRun());
  source = openDatabase(harness.dbPath, { readonly: true });
  file = await exportRun(source, runId);
}, 60_000);

afterAll(async () => {
  source?.close();
  await harness?.close();
});

function expectSameRun(from: Database.Database, fromId: string, to: Database.Database, toId: string): void {
  const a = new RunReader(from);
  const b = new RunReader(to);
  expect({ ...b.getRun(toId), runId: fromId }).toEqual(a.getRun(fromId));
  for (const field of ['query', 'answer', 'error'] as const) {
    expect(b.readValue(toId, field, 0, 1_000_000)).toEqual(a.readValue(fromId, field, 0, 1_000_000));
  }
  const nodes = a.getNodes(fromId);
  expect(b.getNodes(toId)).toEqual(nodes);
  for (const node of nodes) expect(b.getPayload(toId, node.id), `payload of node ${node.id}`).toEqual(a.getPayload(fromId, node.id));
}

describe('a portable run file', () => {
  it('restores a native run in a fresh database exactly, under its own id, with its documents byte for byte', async () => {
    const { db } = tempDatabase();
    const restored = await restorePortableRun(db, readPortable(bytes(file)), { keepIdIfFree: true });
    expect(restored).toMatchObject({ runId, originalRunId: runId });
    expectSameRun(source, runId, db, runId);

    // The run has what this test is about: a child RLM, a failed cell, a failed sub-call.
    const nodes = new RunReader(db).getNodes(runId);
    expect(nodes.filter((n) => n.kind === 'rlm' && n.parentId !== null)).toHaveLength(1);
    expect(nodes.some((n) => n.kind === 'cell' && n.status === 'failed')).toBe(true);
    expect(nodes.some((n) => n.kind === 'llm' && n.purpose === 'sub' && n.status === 'failed')).toBe(true);

    // Every document the run uses, inputs and the child's context, byte for byte.
    const hashes = db.prepare<[string], string>(`SELECT hash FROM run_documents WHERE run_id = ? ORDER BY hash`).pluck().all(runId);
    expect(hashes).toEqual(source.prepare<[string], string>(`SELECT hash FROM run_documents WHERE run_id = ? ORDER BY hash`).pluck().all(runId));
    expect(hashes).toHaveLength(3);
    const from = new DocumentStore(source);
    const to = new DocumentStore(db);
    for (const hash of hashes) expect(to.read(hash).equals(from.read(hash))).toBe(true);
    const texts = hashes.map((hash) => to.read(hash).toString('utf8'));
    expect(texts).toEqual(expect.arrayContaining([FIRST_INPUT, CHILD_CONTEXT, 'the second document']));
  });

  it('gets a new id where its own is taken, and is otherwise the same run', async () => {
    const { db } = tempDatabase();
    await restorePortableRun(db, readPortable(bytes(file)), { keepIdIfFree: true });
    const again = await restorePortableRun(db, readPortable(bytes(file)), { keepIdIfFree: true, newId: () => 'r-second' });
    expect(again).toMatchObject({ runId: 'r-second', originalRunId: runId });
    expectSameRun(source, runId, db, 'r-second');
  });

  it('holds neither the API key nor the settings', () => {
    const text = gunzipSync(file).toString('utf8');
    expect(text).not.toContain('test-key');
    expect(text).not.toMatch(/apiKey|api_key/i);
    const header = JSON.parse(text.slice(0, text.indexOf('\n'))) as Record<string, unknown>;
    expect(header).toMatchObject({ type: 'header', format: 'rlmscope-run', version: 1, runId });
  });
});

describe('a bad portable file', () => {
  /** The whole database as text: what a refused file must leave exactly as it was. */
  function snapshot(db: Database.Database): string {
    const tables = ['runs', 'nodes', 'node_payloads', 'run_inputs', 'run_documents', 'documents', 'document_chunks'];
    return JSON.stringify(tables.map((table) => db.prepare(`SELECT * FROM ${table}`).all()));
  }

  async function refused(data: Buffer): Promise<PortableFileError> {
    const { db } = tempDatabase();
    const before = snapshot(db);
    const error = await restorePortableRun(db, readPortable(bytes(data))).then(
      () => {
        throw new Error('the file was accepted');
      },
      (e: unknown) => e,
    );
    expect(snapshot(db)).toBe(before);
    expect(error).toBeInstanceOf(PortableFileError);
    return error as PortableFileError;
  }

  /** The file with its records changed, compressed again. */
  function edited(edit: (records: Record<string, unknown>[]) => void): Buffer {
    const records = gunzipSync(file)
      .toString('utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    edit(records);
    return gzipSync(records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  it('is refused when cut short, anywhere', async () => {
    for (const at of [10, Math.floor(file.length / 2), file.length - 4]) {
      const error = await refused(file.subarray(0, at));
      expect(error.reason).toBe('TRUNCATED');
      expect(error.message).toMatch(/^the file is incomplete: /);
    }
    // Whole gzip, but the records stop before the end record.
    const cut = edited((records) => records.splice(records.length - 3));
    expect(await refused(cut)).toMatchObject({ reason: 'TRUNCATED', message: expect.stringMatching(/incomplete: (it ends inside document|it ends after line \d+ without its end record)/) });
  });

  it('is refused when a byte is flipped', async () => {
    for (const at of [Math.floor(file.length / 3), Math.floor(file.length / 2), file.length - 6]) {
      const damaged = Buffer.from(file);
      damaged[at] = damaged[at]! ^ 0x10;
      const error = await refused(damaged);
      expect(['DAMAGED', 'TRUNCATED', 'HASH_MISMATCH']).toContain(error.reason);
      expect(error.message).toMatch(/^the file is (damaged|incomplete)|^document [0-9a-f]{64} is damaged/);
    }
  });

  it('is refused when it is not one: another format, plain text, empty, foreign gzip', async () => {
    expect(await refused(Buffer.from('{"type": "metadata", "root_model": "gpt-4o"}\n'))).toMatchObject({ reason: 'NOT_PORTABLE', message: expect.stringMatching(/not gzip-compressed/) });
    expect(await refused(Buffer.alloc(0))).toMatchObject({ reason: 'NOT_PORTABLE', message: expect.stringMatching(/empty/) });
    expect(await refused(gzipSync('hello\n'))).toMatchObject({ reason: 'NOT_PORTABLE', message: expect.stringMatching(/not JSON records/) });
    expect(await refused(gzipSync('{"type":"header","format":"something-else","version":1}\n'))).toMatchObject({ reason: 'NOT_PORTABLE', message: expect.stringMatching(/first record is not a "rlmscope-run" header/) });
  });

  it('is refused when it comes from a newer format version, saying so', async () => {
    const newer = edited((records) => {
      records[0] = { ...records[0], version: 2, appVersion: '9.0.0', extra: true };
    });
    expect(await refused(newer)).toMatchObject({ reason: 'FUTURE_VERSION', message: expect.stringMatching(/newer RLMScope \(RLMScope 9\.0\.0\) in format version 2; this version reads version 1/) });
  });

  it('is refused when a document does not match its hash, and none of its documents stay', async () => {
    const mismatch = edited((records) => {
      // The last chunk of the last document: same length, other bytes.
      const chunk = records.findLast((r) => r['type'] === 'chunk')!;
      const data = Buffer.from(chunk['data'] as string, 'base64');
      data[0] = data[0]! ^ 1;
      chunk['data'] = data.toString('base64');
    });
    expect(await refused(mismatch)).toMatchObject({ reason: 'HASH_MISMATCH', message: expect.stringMatching(/^document [0-9a-f]{64} is damaged: its bytes hash to [0-9a-f]{64}$/) });
  });

  it('is refused when a field is wrong or the tree does not hold together', async () => {
    const badStatus = edited((records) => {
      const node = records.find((r) => r['type'] === 'node')!;
      (node['node'] as Record<string, unknown>)['status'] = 'exploded';
    });
    expect(await refused(badStatus)).toMatchObject({ reason: 'DAMAGED', message: expect.stringMatching(/the node record is not valid at node\.status/) });
    const orphan = edited((records) => {
      const node = records.filter((r) => r['type'] === 'node')[3]!;
      (node['node'] as Record<string, unknown>)['parentId'] = 999;
    });
    expect(await refused(orphan)).toMatchObject({ reason: 'DAMAGED', message: expect.stringMatching(/names parent 999, which does not come before it/) });
    const missingDocument = edited((records) => {
      const at = records.findIndex((r) => r['type'] === 'document');
      const end = records.findIndex((r, i) => i > at && r['type'] !== 'chunk');
      records.splice(at, end - at);
      (records.at(-1) as Record<string, unknown>)['documents'] = 2;
    });
    expect(await refused(missingDocument)).toMatchObject({ reason: 'DAMAGED', message: expect.stringMatching(/which the run uses, is not in the file/) });
  });
});
