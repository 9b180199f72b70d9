import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { CHUNK_BYTES, DocumentStore } from './documentStore';
import { RunRepository } from './runRepository';
import { newRun, tempDatabase, thrown } from '../testing/tempDatabase';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

function setup() {
  const { db, dir } = tempDatabase();
  const count = (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  return { db, dir, documents: new DocumentStore(db), count };
}

describe('DocumentStore', () => {
  it('stores the same content once, whether it comes as text or as a file', async () => {
    const { dir, documents, count } = setup();
    const text = 'héllo wörld\n';
    const first = documents.putText(text);
    expect(first).toEqual({ hash: sha256(text), bytes: Buffer.byteLength(text) });
    expect(documents.putText(text)).toEqual(first);
    const file = join(dir, 'hello.txt');
    writeFileSync(file, text);
    expect(await documents.putFile(file)).toEqual(first);
    expect(count('documents')).toBe(1);
    expect(count('document_chunks')).toBe(1);
    expect(documents.has(first.hash)).toBe(true);
    expect(documents.read(first.hash).toString('utf8')).toBe(text);
  });

  it('round-trips a file larger than a chunk through 8 MiB chunks', async () => {
    const { dir, documents, count } = setup();
    const data = randomBytes(2 * CHUNK_BYTES + 12_345);
    const file = join(dir, 'big.bin');
    writeFileSync(file, data);
    const stored = await documents.putFile(file, 'big.bin');
    expect(stored).toEqual({ hash: sha256(data), bytes: data.length });
    expect(count('document_chunks')).toBe(3);
    expect([...documents.readChunks(stored.hash)].map((chunk) => chunk.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 12_345]);
    expect(documents.read(stored.hash).equals(data)).toBe(true);
  });

  it('stores a file that is an exact number of chunks, and an empty one', async () => {
    const { dir, documents } = setup();
    const exact = randomBytes(CHUNK_BYTES);
    writeFileSync(join(dir, 'exact'), exact);
    writeFileSync(join(dir, 'empty'), '');
    const stored = await documents.putFile(join(dir, 'exact'));
    expect([...documents.readChunks(stored.hash)]).toHaveLength(1);
    expect(documents.read(stored.hash).equals(exact)).toBe(true);
    const empty = await documents.putFile(join(dir, 'empty'));
    expect(empty).toEqual({ hash: sha256(''), bytes: 0 });
    expect(documents.read(empty.hash).length).toBe(0);
  });

  it('stores one copy when the same new file is put twice at once', async () => {
    const { dir, documents, count } = setup();
    const data = randomBytes(CHUNK_BYTES + 1);
    writeFileSync(join(dir, 'a'), data);
    writeFileSync(join(dir, 'b'), data);
    const [a, b] = await Promise.all([documents.putFile(join(dir, 'a')), documents.putFile(join(dir, 'b'))]);
    expect(a).toEqual(b);
    expect(count('documents')).toBe(1);
    expect(count('document_chunks')).toBe(2);
  });

  it('overwrites chunks left behind by a put that died before it finished', async () => {
    const { db, dir, documents } = setup();
    const data = randomBytes(CHUNK_BYTES + 10);
    const hash = sha256(data);
    db.prepare(`INSERT INTO document_chunks (hash, idx, data) VALUES (?, 0, x'00')`).run(hash);
    expect(documents.has(hash)).toBe(false);
    writeFileSync(join(dir, 'doc'), data);
    await documents.putFile(join(dir, 'doc'));
    expect(documents.read(hash).equals(data)).toBe(true);
  });

  it('leaves the connection free for writes while chunks are being read', () => {
    const { db, documents } = setup();
    const stored = documents.putText('a'.repeat(CHUNK_BYTES + 1));
    const runs = new RunRepository(db);
    let n = 0;
    for (const chunk of documents.readChunks(stored.hash)) {
      runs.createRun(newRun({ runId: `r${n++}` }));
      expect(chunk.length).toBeGreaterThan(0);
    }
    expect(n).toBe(2);
  });

  it('reports a missing file, a folder, and an unknown document by their codes', async () => {
    const { dir, documents } = setup();
    await expect(documents.putFile(join(dir, 'nope.txt'), 'nope.txt')).rejects.toMatchObject({
      code: 'FILE_NOT_FOUND',
      message: 'nope.txt not found',
    });
    mkdirSync(join(dir, 'folder'));
    await expect(documents.putFile(join(dir, 'folder'))).rejects.toMatchObject({ code: 'FILE_UNREADABLE' });
    const error = thrown(() => documents.read('0'.repeat(64)));
    expect(error).toBeInstanceOf(RlmError);
    expect((error as RlmError).code).toBe('NOT_FOUND');
    expect(documents.has('0'.repeat(64))).toBe(false);
  });
  it('stores a stream of pieces of any size in whole 8 MiB chunks, and drops them when the bytes are not the document', async () => {
    const { documents, count } = setup();
    const data = randomBytes(2 * CHUNK_BYTES + 12_345);
    async function* pieces(from: Buffer, size: number) {
      for (let at = 0; at < from.length; at += size) yield from.subarray(at, at + size);
    }
    const expected = { hash: sha256(data), bytes: data.length };
    expect(await documents.putChunks(pieces(data, 1_000_003), expected)).toEqual(expected);
    expect(documents.read(expected.hash).equals(data)).toBe(true);
    expect([...documents.readChunks(expected.hash)].map((chunk) => chunk.length)).toEqual([CHUNK_BYTES, CHUNK_BYTES, 12_345]);

    const other = randomBytes(CHUNK_BYTES + 10);
    const wrong = { hash: sha256('something else'), bytes: other.length };
    await expect(documents.putChunks(pieces(other, 65_536), wrong)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(documents.has(wrong.hash)).toBe(false);
    expect(count('document_chunks')).toBe(3);
  });
});
