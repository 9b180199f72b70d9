import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeHandler } from '../fakeProvider/server';
import { lastUser, repl, startHarness, turn, type Harness } from '../testing/serviceHarness';
import type { RlmService } from './rlmService';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** A model that runs code printing `expression` once, then answers with what it printed. */
function printsThenAnswers(expression: string): FakeHandler {
  return (req) =>
    turn(req) === 0
      ? { text: repl(`print("<<" + (${expression}) + ">>")`) }
      : { text: `FINAL(${/<<([\s\S]*?)>>/.exec(lastUser(req))?.[1] ?? 'nothing printed'})` };
}

async function start(handler: FakeHandler): Promise<Harness> {
  harness = await startHarness(handler);
  return harness;
}

/** Sends `text` the way the page does: begin, then chunks of raw bytes in order. */
async function upload(service: RlmService, name: string, text: string | Buffer, chunkBytes = 64 * 1024): Promise<string> {
  const data = Buffer.from(text);
  const { uploadId } = await service.call('uploads.begin', { name, bytes: data.length });
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    // A plain Uint8Array copy, as IPC's structured clone delivers it (not a Buffer).
    const answer = await service.call('uploads.append', { uploadId, offset, data: new Uint8Array(data.subarray(offset, offset + chunkBytes)) });
    expect(answer).toEqual({ received: Math.min(offset + chunkBytes, data.length), complete: offset + chunkBytes >= data.length });
  }
  return uploadId;
}

/** The files of the service's upload folder, in any state. */
function uploadedFiles(h: Harness): string[] {
  const root = join(h.dir, 'uploads');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((folder) => readdirSync(join(root, folder)));
}

describe('RlmService uploads', () => {
  it('runs on a file sent in chunks, and deletes the file when the run ends', async () => {
    const h = await start(printsThenAnswers('context.length + " " + context.slice(-5)'));
    const text = `${'line of text\n'.repeat(20_000)}the end`;
    const uploadId = await upload(h.service, 'big.log', text, 100_000);
    expect(uploadedFiles(h)).toEqual([uploadId]);

    const { runId } = await h.service.call('runs.start', { query: 'How long is it?', inputs: [{ kind: 'upload', uploadId }] });
    const summary = await h.service.waitForRun(runId);
    expect(summary).toMatchObject({ status: 'completed', answer: `${text.length} e end` });
    expect(await h.service.call('runs.get', { runId })).toMatchObject({ inputs: [{ name: 'big.log', bytes: text.length }] });
    expect(uploadedFiles(h)).toEqual([]);
    // Used up: a second run needs the file sent again.
    await expect(h.service.call('runs.start', { query: 'again', inputs: [{ kind: 'upload', uploadId }] })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('takes the files of a dropped folder under their folder names; a name is never a path', async () => {
    const h = await start(printsThenAnswers('JSON.stringify(context_names) + " " + context.join("|")'));
    const names = ['notes/a.md', 'notes/sub/b.md', '../../escape.txt'];
    const ids = [];
    for (const [i, name] of names.entries()) ids.push(await upload(h.service, name, `file ${i}`));
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: ids.map((uploadId) => ({ kind: 'upload' as const, uploadId })) });
    expect(await h.service.waitForRun(runId)).toMatchObject({ answer: `${JSON.stringify(names)} file 0|file 1|file 2` });
    expect(readdirSync(h.dir).filter((name) => !name.startsWith('runs.db'))).toEqual(['uploads']);
  });

  it('runs on a folder holding an empty file: its closing empty chunk is answered, its context is ""', async () => {
    const h = await start(printsThenAnswers('JSON.stringify(context_names) + " " + JSON.stringify(context)'));
    const ids = [await upload(h.service, 'pkg/__init__.py', ''), await upload(h.service, 'pkg/mod.py', 'x = 1')];
    // The page sends one empty chunk to learn that an empty file is complete (planChunks).
    expect(await h.service.call('uploads.append', { uploadId: ids[0] as string, offset: 0, data: new Uint8Array(0) })).toEqual({ received: 0, complete: true });
    // Anything else after the end is still refused.
    await expect(h.service.call('uploads.append', { uploadId: ids[0] as string, offset: 0, data: Buffer.from('x') })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: ids.map((uploadId) => ({ kind: 'upload' as const, uploadId })) });
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: '["pkg/__init__.py","pkg/mod.py"] ["","x = 1"]' });
  });

  it('takes chunks of bytes up to 8 MiB, base64 text still, and refuses other data', async () => {
    const h = await start(printsThenAnswers('context.length + " " + context.slice(0, 3) + context.slice(-3)'));
    const MiB = 1024 * 1024;
    const { uploadId } = await h.service.call('uploads.begin', { name: 'chunks.txt', bytes: 8 * MiB + 6 });
    await expect(h.service.call('uploads.append', { uploadId, offset: 0, data: new Uint8Array(8 * MiB + 1) })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining(`a chunk is at most ${8 * MiB} bytes`),
    });
    for (const data of [123, [97, 98], { 0: 97 }, null]) {
      await expect(h.service.call('uploads.append', { uploadId, offset: 0, data: data as unknown as Uint8Array })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    }
    await h.service.call('uploads.append', { uploadId, offset: 0, data: Buffer.from('abc') });
    await h.service.call('uploads.append', { uploadId, offset: 3, data: new Uint8Array(8 * MiB).fill(0x2e) });
    expect(await h.service.call('uploads.append', { uploadId, offset: 8 * MiB + 3, data: Buffer.from('xyz').toString('base64') })).toEqual({ received: 8 * MiB + 6, complete: true });
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'upload', uploadId }] });
    expect(await h.service.waitForRun(runId)).toMatchObject({ answer: `${8 * MiB + 6} abcxyz` });
  });

  it('decodes an uploaded UTF-16 file (by its BOM) and a Latin-1 one, warning about Latin-1', async () => {
    const h = await start(printsThenAnswers('context.join("|")'));
    const utf16 = await upload(h.service, 'utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('naïve ☕', 'utf16le')]));
    const latin1 = await upload(h.service, 'latin1.txt', Buffer.from('café résumé', 'latin1'));
    const { runId, warnings } = await h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'upload', uploadId: utf16 }, { kind: 'upload', uploadId: latin1 }] });
    expect(warnings).toEqual(['latin1.txt is not UTF-8: it was read as Windows-1252 (Latin-1); if its text looks wrong, save it as UTF-8']);
    expect(await h.service.waitForRun(runId)).toMatchObject({ status: 'completed', answer: 'naïve ☕|café résumé' });
  });

  it('refuses a binary file at its first chunk, naming it, and forgets the upload', async () => {
    const h = await start(() => ({ text: 'FINAL(x)' }));
    const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n'), Buffer.alloc(200_000, 0x20)]);
    const { uploadId } = await h.service.call('uploads.begin', { name: 'report.pdf', bytes: pdf.length });
    await expect(h.service.call('uploads.append', { uploadId, offset: 0, data: pdf.subarray(0, 100_000) })).rejects.toMatchObject({
      code: 'BINARY_FILE',
      message: 'report.pdf looks like a PDF document; RLMScope reads text files only',
    });
    await expect(h.service.call('uploads.append', { uploadId, offset: 100_000, data: pdf.subarray(100_000) })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(uploadedFiles(h)).toEqual([]);
  });

  it('takes chunks in any order, refuses one over bytes sent already, and a run on an upload not yet complete', async () => {
    const h = await start(printsThenAnswers('context'));
    const { uploadId } = await h.service.call('uploads.begin', { name: 'a.txt', bytes: 6 });
    expect(await h.service.call('uploads.append', { uploadId, offset: 3, data: Buffer.from('def').toString('base64') })).toEqual({ received: 3, complete: false });
    await expect(h.service.call('uploads.append', { uploadId, offset: 2, data: Buffer.from('xy').toString('base64') })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: 'a.txt: bytes 2-4 overlap bytes 3-6, which were sent already or are on their way; each byte is sent once',
    });
    const inputs = [{ kind: 'upload' as const, uploadId }];
    await expect(h.service.call('runs.start', { query: 'q', inputs })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: 'a.txt is not complete: 3 of 6 bytes have arrived' });
    await expect(h.service.call('uploads.append', { uploadId: 'u-unknown-upload', offset: 0, data: '' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.service.call('uploads.append', { uploadId: '../../etc', offset: 0, data: '' })).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    // A refused start gives nothing away: the upload finishes and runs.
    expect(await h.service.call('uploads.append', { uploadId, offset: 0, data: Buffer.from('abc').toString('base64') })).toEqual({ received: 6, complete: true });
    const { runId } = await h.service.call('runs.start', { query: 'q', inputs });
    expect(await h.service.waitForRun(runId)).toMatchObject({ answer: 'abcdef' });
  });

  it('keeps uploads for a later try when a start fails, and deletes them on cancel and on close', async () => {
    const h = await start(() => ({ text: 'FINAL(x)' }));
    const kept = await upload(h.service, 'kept.txt', 'text');
    await expect(h.service.call('runs.start', { query: 'q', inputs: [{ kind: 'upload', uploadId: kept }, { kind: 'path', path: '/no/such/file' }] })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    const cancelled = await upload(h.service, 'cancelled.txt', 'text');
    expect(uploadedFiles(h).sort()).toEqual([kept, cancelled].sort());
    expect(await h.service.call('uploads.cancel', { uploadId: cancelled })).toEqual({ cancelled: true });
    expect(uploadedFiles(h)).toEqual([kept]);
    await h.service.close();
    expect(readdirSync(join(h.dir, 'uploads'))).toEqual([]);
  });
});
