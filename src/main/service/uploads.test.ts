import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { tempFolder } from '../testing/tempDatabase';
import { sweepStaleUploadFolders } from './uploadFolder';
import { Uploads, type UploadLimits } from './uploads';

const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

function uploads(limits: Partial<UploadLimits> = {}) {
  const root = tempFolder();
  const store = new Uploads(root, limits);
  onTestFinished(() => store.close());
  return { root, store };
}

/**
 * Sends `text` in chunks of `size` bytes, each after the previous one was answered, as raw bytes
 * the way the page does: plain Uint8Array views into a larger buffer (what IPC gives is not a
 * Buffer, and a view starts anywhere in its buffer).
 */
async function send(store: Uploads, name: string, text: string | Buffer, size = 4): Promise<string> {
  const data = Buffer.from(text);
  const { uploadId } = await store.begin({ name, bytes: data.length });
  for (let offset = 0; offset < data.length; offset += size) {
    const length = Math.min(size, data.length - offset);
    await store.append({ uploadId, offset, data: new Uint8Array(data.buffer, data.byteOffset + offset, length) });
  }
  return uploadId;
}

describe('Uploads', () => {
  it('receives chunks in order into a private file, and says when all have come', async () => {
    const { store } = uploads();
    const { uploadId } = await store.begin({ name: 'notes.txt', bytes: 10 });
    expect(uploadId).toMatch(/^u-[A-Za-z0-9_-]{24}$/);
    expect(await store.append({ uploadId, offset: 0, data: b64('hello ') })).toEqual({ received: 6, complete: false });
    expect(() => store.received(uploadId)).toThrow(/notes\.txt is not complete: 6 of 10 bytes/);
    expect(await store.append({ uploadId, offset: 6, data: b64('you!') })).toEqual({ received: 10, complete: true });
    const file = store.received(uploadId);
    expect(file).toMatchObject({ name: 'notes.txt', bytes: 10 });
    expect(readFileSync(file.path, 'utf8')).toBe('hello you!');
    if (process.platform !== 'win32') expect(statSync(file.path).mode & 0o777).toBe(0o600);
  });

  it('takes a binary file sent for import, which only the import may claim, and the other way round', async () => {
    const { store } = uploads();
    const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, ...Array.from({ length: 600 }, (_, i) => i % 7)]);
    const { uploadId } = await store.begin({ name: 'runs.rlmscope', bytes: gzip.length, purpose: 'import' });
    expect(await store.append({ uploadId, offset: 0, data: new Uint8Array(gzip) })).toEqual({ received: gzip.length, complete: true });
    expect(readFileSync(store.received(uploadId, 'import').path)).toEqual(gzip);
    // A run's input is never an unchecked file.
    expect(() => store.received(uploadId)).toThrow("runs.rlmscope was sent to be imported, not as a run's input");
    expect(() => store.claim([uploadId])).toThrow(/sent to be imported/);
    const text = await send(store, 'notes.txt', 'hello');
    expect(() => store.claim([text], 'import')).toThrow("notes.txt was sent as a run's input; send it again to import it");
    store.claim([uploadId], 'import');
  });

  it('writes raw bytes as they are, Buffers and Uint8Array views alike', async () => {
    const { store } = uploads();
    const bytes = Buffer.from('héllo, wörld: ✓\n'.repeat(50));
    const uploadId = await send(store, 'utf8.txt', bytes, 7);
    expect(readFileSync(store.received(uploadId).path)).toEqual(bytes);
    const { uploadId: second } = await store.begin({ name: 'buffer.txt', bytes: 6 });
    await store.append({ uploadId: second, offset: 0, data: Buffer.from('abc') });
    expect(await store.append({ uploadId: second, offset: 3, data: new Uint8Array([0x64, 0x65, 0x66]) })).toEqual({ received: 6, complete: true });
    expect(readFileSync(store.received(second).path, 'utf8')).toBe('abcdef');
  });

  it('still takes base64 text, from pages built before chunks went as bytes', async () => {
    const { store } = uploads();
    const { uploadId } = await store.begin({ name: 'old-page.txt', bytes: 10 });
    await store.append({ uploadId, offset: 0, data: b64('hello ') });
    expect(await store.append({ uploadId, offset: 6, data: new Uint8Array(Buffer.from('you!')) })).toEqual({ received: 10, complete: true });
    expect(readFileSync(store.received(uploadId).path, 'utf8')).toBe('hello you!');
  });

  it('refuses raw bytes past the announced size', async () => {
    const { store } = uploads();
    const { uploadId } = await store.begin({ name: 'strict.bin.txt', bytes: 4 });
    await expect(store.append({ uploadId, offset: 0, data: Buffer.from('abcde') })).rejects.toMatchObject({ message: 'strict.bin.txt: bytes 0-5 sent, but 4 were announced' });
    await expect(store.append({ uploadId, offset: 4, data: Buffer.from('e') })).rejects.toMatchObject({ message: 'strict.bin.txt: bytes 4-5 sent, but 4 were announced' });
    expect(await store.append({ uploadId, offset: 0, data: Buffer.from('abcd') })).toEqual({ received: 4, complete: true });
  });

  it('writes chunks sent without waiting in the order they came', async () => {
    const { store } = uploads();
    const text = 'abcdefghijklmnopqrstuvwxyz'.repeat(100);
    const { uploadId } = await store.begin({ name: 'pipelined.txt', bytes: text.length });
    const answers = [];
    for (let offset = 0; offset < text.length; offset += 100) {
      answers.push(store.append({ uploadId, offset, data: b64(text.slice(offset, offset + 100)) }));
    }
    expect((await Promise.all(answers)).at(-1)).toEqual({ received: text.length, complete: true });
    expect(readFileSync(store.received(uploadId).path, 'utf8')).toBe(text);
  });

  it('takes chunks in any order, refuses one over bytes sent already, past the announced size, or not base64, and keeps what came', async () => {
    const { store } = uploads();
    const { uploadId } = await store.begin({ name: 'strict.txt', bytes: 8 });
    expect(await store.append({ uploadId, offset: 4, data: b64('efgh') })).toEqual({ received: 4, complete: false });
    await expect(store.append({ uploadId, offset: 4, data: b64('efgh') })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'strict.txt: bytes 4-8 overlap bytes 4-8, which were sent already or are on their way; each byte is sent once',
    });
    await expect(store.append({ uploadId, offset: 2, data: b64('cdef') })).rejects.toMatchObject({ message: expect.stringContaining('bytes 2-6 overlap bytes 4-8') });
    await expect(store.append({ uploadId, offset: 6, data: b64('ghi=') })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    await expect(store.append({ uploadId, offset: 0, data: 'not base64!' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() => store.received(uploadId)).toThrow('strict.txt is not complete: 4 of 8 bytes have arrived');
    expect(await store.append({ uploadId, offset: 0, data: b64('abcd') })).toEqual({ received: 8, complete: true });
    expect(readFileSync(store.received(uploadId).path, 'utf8')).toBe('abcdefgh');
    await expect(store.append({ uploadId, offset: 8, data: '' })).rejects.toThrow(/received in full already/);
  });

  it('refuses a binary file as soon as its first bytes show it, and forgets it', async () => {
    const { store } = uploads();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]), Buffer.alloc(100_000, 1)]);
    const { uploadId } = await store.begin({ name: 'photo.png', bytes: png.length });
    await expect(store.append({ uploadId, offset: 0, data: png.subarray(0, 70_000) })).rejects.toMatchObject({
      code: 'BINARY_FILE',
      message: 'photo.png looks like a PNG image; RLMScope reads text files only',
    });
    await expect(store.append({ uploadId, offset: 70_000, data: png.subarray(70_000) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(store.size).toBe(0);
  });

  it('judges the first 64 KB even when they come in small chunks', async () => {
    const { store } = uploads();
    const text = Buffer.concat([Buffer.from('looks like text at first'), Buffer.from([0]), Buffer.alloc(100_000, 0x61)]);
    await expect(send(store, 'sneaky.log', text, 1000)).rejects.toMatchObject({ code: 'BINARY_FILE', message: expect.stringContaining('NUL bytes') });
    // A text file whose NUL comes after the first 64 KB passes, as a file given by path would.
    const late = Buffer.concat([Buffer.alloc(70_000, 0x61), Buffer.from([0])]);
    const uploadId = await send(store, 'late.log', late, 30_000);
    expect(store.received(uploadId).bytes).toBe(late.length);
  });

  it('keeps an upload whose slice met a full disk: what came stays, and the slice sent again is taken', async () => {
    const { store } = uploads();
    const text = Buffer.from('0123456789'.repeat(10_000));
    const { uploadId } = await store.begin({ name: 'full.txt', bytes: text.length });
    const body = (bytes: Buffer) => (async function* () {
      yield bytes;
    })();
    expect(await store.receive(uploadId, body(text.subarray(0, 60_000)), { offset: 0, length: 60_000 })).toEqual({ received: 60_000, complete: false });
    // The disk fills up: every write now fails with ENOSPC, as /dev/full's do.
    const upload = (store as unknown as { uploads: Map<string, { file: FileHandle }> }).uploads.get(uploadId) as { file: FileHandle };
    const real = upload.file;
    upload.file = await open('/dev/full', 'r+');
    await expect(store.receive(uploadId, body(text.subarray(60_000)), { offset: 60_000, length: 40_000 })).rejects.toMatchObject({
      code: 'INPUT_TOO_LARGE',
      message: 'the disk is full: full.txt could not be stored',
    });
    await upload.file.close();
    // Room again: the same slice is taken, and the file is whole.
    upload.file = real;
    expect(await store.receive(uploadId, body(text.subarray(60_000)), { offset: 60_000, length: 40_000 })).toEqual({ received: text.length, complete: true });
    expect(readFileSync(store.received(uploadId).path)).toEqual(text);
  });

  it('refuses a body longer than the length it announced, and counts none of it', async () => {
    const { store } = uploads();
    const { uploadId } = await store.begin({ name: 'liar.txt', bytes: 100 });
    const body = (async function* () {
      yield Buffer.alloc(10, 0x61);
      yield Buffer.alloc(10, 0x62);
    })();
    await expect(store.receive(uploadId, body, { offset: 0, length: 10 })).rejects.toMatchObject({ message: 'liar.txt: the slice of bytes 0-10 brought more bytes than that' });
    expect(() => store.received(uploadId)).toThrow('liar.txt is not complete: 0 of 100 bytes have arrived');
  });

  it('takes an empty file as complete at once', async () => {
    const { store } = uploads();
    const { uploadId } = await store.begin({ name: 'empty.txt', bytes: 0 });
    expect(readFileSync(store.received(uploadId).path, 'utf8')).toBe('');
    // The page's closing empty chunk (planChunks sends one for an empty file) is answered, not refused.
    expect(await store.append({ uploadId, offset: 0, data: new Uint8Array(0) })).toEqual({ received: 0, complete: true });
    expect(store.received(uploadId).bytes).toBe(0);
  });

  it('caps the uploads being received and the bytes waiting for a run', async () => {
    const { store } = uploads({ maxReceiving: 2, maxBytes: 100 });
    const first = await store.begin({ name: 'a.txt', bytes: 4 });
    const second = await store.begin({ name: 'b.txt', bytes: 4 });
    await expect(store.begin({ name: 'c.txt', bytes: 4 })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringContaining('2 uploads are already being received') });
    await store.append({ uploadId: first.uploadId, offset: 0, data: b64('done') });
    await store.begin({ name: 'c.txt', bytes: 4 });
    await store.cancel(second.uploadId);
    // 4 + 4 waiting, complete or not: 95 more is past the 100 allowed.
    await expect(store.begin({ name: 'huge.txt', bytes: 95 })).rejects.toMatchObject({ code: 'INPUT_TOO_LARGE', message: expect.stringContaining('huge.txt') });
  });

  it('drops an upload left idle, file and all', async () => {
    const { store } = uploads({ idleMs: 50 });
    const uploadId = await send(store, 'forgotten.txt', 'text');
    const { path } = store.received(uploadId);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(() => store.received(uploadId)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    expect(existsSync(path)).toBe(false);
  });

  it('cancels: the file is gone, and cancelling again says there was nothing', async () => {
    const { store } = uploads();
    const uploadId = await send(store, 'unwanted.txt', 'text');
    const { path } = store.received(uploadId);
    expect(await store.cancel(uploadId)).toEqual({ cancelled: true });
    expect(existsSync(path)).toBe(false);
    expect(await store.cancel(uploadId)).toEqual({ cancelled: false });
  });

  it('lets a run claim complete uploads, all or none; the claim keeps them from expiring until released', async () => {
    const { store } = uploads({ idleMs: 100 });
    const done = await send(store, 'done.txt', 'text');
    const { uploadId: partial } = await store.begin({ name: 'partial.txt', bytes: 10 });
    expect(() => store.claim([done, partial])).toThrow(/partial\.txt is not complete/);
    const claim = store.claim([done]);
    expect(() => store.claim([done])).toThrow(/already used by a run/);
    expect(await store.cancel(done)).toEqual({ cancelled: false });
    await new Promise((resolve) => setTimeout(resolve, 250));
    claim.unclaim();
    const { path } = store.received(done);
    expect(existsSync(path)).toBe(true);
    await store.claim([done]).release();
    expect(existsSync(path)).toBe(false);
    expect(() => store.received(done)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('keeps the name a name: the file lives in the service folder whatever the page calls it', async () => {
    const { root, store } = uploads();
    const uploadId = await send(store, '../../outside.txt', 'text');
    const { path, name } = store.received(uploadId);
    expect(name).toBe('../../outside.txt');
    expect(path.startsWith(root)).toBe(true);
    expect(readdirSync(root)).toHaveLength(1);
  });

  it('removes its folder on close, and refuses new uploads', async () => {
    const root = tempFolder();
    const store = new Uploads(root);
    await send(store, 'a.txt', 'text');
    expect(readdirSync(root)).toHaveLength(1);
    await store.close();
    expect(readdirSync(root)).toEqual([]);
    await expect(store.begin({ name: 'late.txt', bytes: 1 })).rejects.toThrow(/closed/);
  });
});

describe('sweepStaleUploadFolders', () => {
  it('removes the old folders of dead processes only', async () => {
    const root = tempFolder();
    const deadPid = 2 ** 30; // above any pid_max: no such process
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    const make = (name: string, old: boolean) => {
      mkdirSync(join(root, name));
      if (old) utimesSync(join(root, name), twoDaysAgo, twoDaysAgo);
    };
    make(`${deadPid}-aaaaaaaaaaaa`, true);
    make(`${deadPid}-bbbbbbbbbbbb`, false);
    make(`${process.pid}-cccccccccccc`, true);
    make(`${process.ppid}-dddddddddddd`, true);
    make('not-ours', true);
    expect(await sweepStaleUploadFolders(root)).toEqual([`${deadPid}-aaaaaaaaaaaa`]);
    expect(readdirSync(root).sort()).toEqual([`${deadPid}-bbbbbbbbbbbb`, `${process.pid}-cccccccccccc`, `${process.ppid}-dddddddddddd`, 'not-ours'].sort());
    expect(await sweepStaleUploadFolders(join(root, 'missing'))).toEqual([]);
  });
});
