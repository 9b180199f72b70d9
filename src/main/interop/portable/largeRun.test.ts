// The portable file's streaming parts at sizes past one record: a document of several store
// chunks and an answer of several value pages with characters outside the BMP (which SQLite
// counts as one and JavaScript as two), restored byte for byte and character for character.
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CHUNK_BYTES, DocumentStore } from '../../store/documentStore';
import { restorePortableRun } from '../../store/portableRestore';
import { RunRepository } from '../../store/runRepository';
import { newRun, tempDatabase } from '../../testing/tempDatabase';
import { exportSourceFor } from '../exportSource';
import { VALUE_PAGE_CHARS } from './format';
import { readPortable, writePortable } from './index';

describe('a portable file of a large run', () => {
  it('carries a multi-chunk document and a multi-page answer whole', async () => {
    const { db } = tempDatabase();
    const store = new RunRepository(db);
    const documents = new DocumentStore(db);
    // Not one repeated byte: gzip would make the file trivially small and hide chunking bugs.
    const line = (i: number) => `${i.toString(36)} ${(Math.imul(i, 2654435761) >>> 0).toString(16)} ✓\n`;
    const lines: string[] = [];
    for (let i = 0, size = 0; size < 2 * CHUNK_BYTES + 1234; i++) size += Buffer.byteLength(lines[lines.push(line(i)) - 1]!);
    const text = lines.join('');
    const document = documents.putText(text);
    store.createRun(newRun({ runId: 'big' }));
    store.addInput('big', 0, { name: 'big.txt', ...document });
    store.addNode('big', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: 1_000, label: 'root' }, { query: 'q', documents: [document.hash] });
    const answer = '😀 an answer past one page '.repeat(Math.ceil((2.5 * VALUE_PAGE_CHARS) / 26));
    store.finishRun('big', { status: 'completed', endedAt: 2_000, answer, stopReason: null, error: null });

    const out = new PassThrough();
    const parts: Buffer[] = [];
    out.on('data', (part: Buffer) => parts.push(part));
    await writePortable(exportSourceFor(db), 'big', out);
    const file = Buffer.concat(parts);
    expect(file.length).toBeLessThan(text.length);

    const target = tempDatabase().db;
    async function* bytes() {
      for (let at = 0; at < file.length; at += 65_536) yield file.subarray(at, at + 65_536);
    }
    await restorePortableRun(target, readPortable(bytes()));
    const restored = new RunRepository(target);
    const chars = restored.readValue('big', 'answer', 0, 0)!.totalChars;
    expect(restored.readValue('big', 'answer', 0, chars)!.text).toBe(answer);
    expect(new DocumentStore(target).read(document.hash).toString('utf8')).toBe(text);
    expect(target.prepare(`SELECT count(*) FROM document_chunks WHERE hash = ?`).pluck().get(document.hash)).toBe(3);
  });
});
