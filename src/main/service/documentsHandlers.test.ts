import { performance } from 'node:perf_hooks';
import { beforeEach, describe, expect, it } from 'vitest';
import { RlmError } from '../../shared/errors';
import { CHUNK_BYTES, DocumentStore } from '../store/documentStore';
import { RunRepository } from '../store/runRepository';
import { newRun, tempDatabase } from '../testing/tempDatabase';
import { documentsHandlers } from './documentsHandlers';
import { CARRY_CHARS } from './searchWorker';

let databases: Array<ReturnType<typeof tempDatabase>['db']> = [];
beforeEach(() => {
  databases = [];
});

/** A run in a real database file that uses `text` as its one input. */
function runWith(text: string, searchTimeMs = 5000) {
  const { db } = tempDatabase();
  databases.push(db);
  const store = new RunRepository(db);
  store.createRun(newRun());
  const doc = new DocumentStore(db).putText(text);
  store.addInput('run-1', 0, { name: 'in.txt', bytes: doc.bytes, hash: doc.hash });
  return { handlers: documentsHandlers(db, { searchTimeMs }), hash: doc.hash, bytes: doc.bytes };
}

const filler = (bytes: number) => 'abcdefghij\n'.repeat(Math.ceil(bytes / 11)).slice(0, bytes);

describe('documents.read', () => {
  it('reads a page across a chunk boundary and moves its ends onto whole characters', async () => {
    // "é" is 2 bytes, "€" 3: put one across the boundary and cut pages through them.
    const text = `${filler(CHUNK_BYTES - 1)}€${filler(100)}é`;
    const { handlers, hash, bytes } = runWith(text);
    const page = await handlers['documents.read']({ runId: 'run-1', hash, offset: CHUNK_BYTES - 11, length: 20 });
    expect(page.text).toBe(text.slice(CHUNK_BYTES - 11, CHUNK_BYTES - 11 + 18));
    expect(page).toMatchObject({ offset: CHUNK_BYTES - 11, end: CHUNK_BYTES + 9, bytes });
    // Starting inside "€": the page starts after it; ending inside "é" at the end: before it.
    const inside = await handlers['documents.read']({ runId: 'run-1', hash, offset: CHUNK_BYTES, length: bytes - CHUNK_BYTES - 1 });
    expect(inside.offset).toBe(CHUNK_BYTES + 2);
    expect(inside.text).toBe(filler(100));
    expect(inside.end).toBe(bytes - 2);
    const last = await handlers['documents.read']({ runId: 'run-1', hash, offset: bytes - 2, length: 1000 });
    expect(last).toMatchObject({ text: 'é', end: bytes });
  });

  it('reads only the chunks the page covers', async () => {
    const text = filler(CHUNK_BYTES * 2 + 100);
    const { handlers, hash } = runWith(text);
    // With the first and last chunks gone, a page inside the middle one still reads.
    databases[0]!.prepare(`DELETE FROM document_chunks WHERE hash = ? AND idx IN (0, 2)`).run(hash);
    const page = await handlers['documents.read']({ runId: 'run-1', hash, offset: CHUNK_BYTES + 5, length: 1000 });
    expect(page.text).toBe(text.slice(CHUNK_BYTES + 5, CHUNK_BYTES + 1005));
    await expect(handlers['documents.read']({ runId: 'run-1', hash, offset: CHUNK_BYTES * 2, length: 10 })).rejects.toMatchObject({ code: 'STORE_FAILED' });
  });

  it('reads an empty page at the end of a document of whole chunks', async () => {
    const { handlers, hash, bytes } = runWith(filler(CHUNK_BYTES));
    const page = await handlers['documents.read']({ runId: 'run-1', hash, offset: bytes, length: 10 });
    expect(page).toEqual({ text: '', offset: bytes, end: bytes, bytes });
  });

  it('opens only documents of the run it names', async () => {
    const { handlers, hash } = runWith('secret');
    await expect(handlers['documents.read']({ runId: 'other', hash, offset: 0, length: 10 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('documents.search', () => {
  it('finds a match that spans a chunk boundary, at its byte offsets', async () => {
    const text = `${filler(CHUNK_BYTES - 3)}NEEDLE${filler(5000)}needle é needle`;
    const { handlers, hash, bytes } = runWith(text);
    const result = await handlers['documents.search']({ runId: 'run-1', hash, query: 'needle', regex: false, caseSensitive: false, from: 0, maxMatches: 10 });
    expect(result).toMatchObject({ capped: false, timedOut: false, scannedTo: bytes, bytes });
    const at = Buffer.byteLength(text.slice(0, text.lastIndexOf('needle')));
    expect(result.matches).toEqual([
      { start: CHUNK_BYTES - 3, end: CHUNK_BYTES + 3 },
      { start: at - 10, end: at - 4 },
      { start: at, end: at + 6 },
    ]);
  });

  it('keeps a greedy regex match whole across the boundary, with case and regex switches', async () => {
    const text = `${filler(CHUNK_BYTES - 4)}xxxxxxxx Xx`;
    const { handlers, hash } = runWith(text);
    const greedy = await handlers['documents.search']({ runId: 'run-1', hash, query: 'x+', regex: true, caseSensitive: true, from: 0, maxMatches: 10 });
    expect(greedy.matches).toEqual([
      { start: CHUNK_BYTES - 4, end: CHUNK_BYTES + 4 },
      { start: CHUNK_BYTES + 6, end: CHUNK_BYTES + 7 },
    ]);
    // Plain text: "x+" is not a pattern there.
    const plain = await handlers['documents.search']({ runId: 'run-1', hash, query: 'x+', regex: false, caseSensitive: false, from: 0, maxMatches: 10 });
    expect(plain.matches).toEqual([]);
  });

  it('carries a tail that starts at a line start, so ^ means a line start across chunks', async () => {
    // One long line runs over where a tail of CARRY_CHARS would start; "abc" sits exactly there.
    const lineStart = CHUNK_BYTES - CARRY_CHARS - 100;
    const text = `${'x'.repeat(lineStart - 1)}\n${'q'.repeat(100)}abc${'q'.repeat(200)}\nabc\n${`${'y'.repeat(50)}\n`.repeat(4000)}`;
    expect(text.length).toBeGreaterThan(CHUNK_BYTES);
    const lastAbc = text.lastIndexOf('\nabc\n') + 1;
    const { handlers, hash } = runWith(text);
    const search = (query: string) => handlers['documents.search']({ runId: 'run-1', hash, query, regex: true, caseSensitive: true, from: 0, maxMatches: 10 });
    expect((await search('^abc')).matches).toEqual([{ start: lastAbc, end: lastAbc + 3 }]);
    expect((await search('^q+abc')).matches).toEqual([{ start: lineStart, end: lineStart + 103 }]);
  });

  it('caps the matches, says so, and continues from where it stopped', async () => {
    const { handlers, hash } = runWith('ab '.repeat(50));
    const first = await handlers['documents.search']({ runId: 'run-1', hash, query: 'AB', regex: false, caseSensitive: false, from: 0, maxMatches: 20 });
    expect(first.matches).toHaveLength(20);
    expect(first).toMatchObject({ capped: true, scannedTo: 60 });
    const next = await handlers['documents.search']({ runId: 'run-1', hash, query: 'ab', regex: false, caseSensitive: false, from: first.scannedTo, maxMatches: 100 });
    expect(next.matches[0]).toEqual({ start: 60, end: 62 });
    expect(next.matches).toHaveLength(30);
    expect(next.capped).toBe(false);
    const sensitive = await handlers['documents.search']({ runId: 'run-1', hash, query: 'AB', regex: false, caseSensitive: true, from: 0, maxMatches: 20 });
    expect(sensitive.matches).toEqual([]);
  });

  it('gives whole characters at exact byte offsets when a regex matches half of an astral character', async () => {
    // Without the u flag `.` matches one UTF-16 unit: half of "😀". Its offsets must still be
    // byte offsets of whole characters, and the matches after it must not drift.
    const text = 'a😀b needle';
    const { handlers, hash } = runWith(text);
    const dots = await handlers['documents.search']({ runId: 'run-1', hash, query: '.', regex: true, caseSensitive: true, from: 0, maxMatches: 100 });
    const buf = Buffer.from(text);
    const shown = dots.matches.map((m) => buf.subarray(m.start, m.end).toString('utf8'));
    expect(shown.join('')).toBe(text);
    expect(shown).not.toContain('\ufffd');
    const after = await handlers['documents.search']({ runId: 'run-1', hash, query: '[\\uD800-\\uDBFF]|needle', regex: true, caseSensitive: true, from: 0, maxMatches: 100 });
    expect(after.matches.at(-1)).toEqual({ start: Buffer.byteLength('a😀b '), end: Buffer.byteLength('a😀b needle') });
  });

  it('keeps exact offsets when the carried tail would start inside an astral character', async () => {
    // No newline to cut at, and an odd count of UTF-16 units after the emoji: the first window's
    // carried tail would start between the halves of a "😀".
    const text = `${'😀'.repeat((CHUNK_BYTES - 4) / 4)}ézz${'z'.repeat(100)}needle`;
    const { handlers, hash } = runWith(text);
    const result = await handlers['documents.search']({ runId: 'run-1', hash, query: 'needle', regex: false, caseSensitive: true, from: 0, maxMatches: 10 });
    const at = Buffer.byteLength(text) - 6;
    expect(result.matches).toEqual([{ start: at, end: at + 6 }]);
  });

  it('answers a search that starts at the end, also of a document of whole chunks', async () => {
    const text = filler(CHUNK_BYTES);
    const { handlers, hash, bytes } = runWith(text);
    for (const from of [bytes, bytes + 100]) {
      const result = await handlers['documents.search']({ runId: 'run-1', hash, query: 'abc', regex: false, caseSensitive: true, from, maxMatches: 10 });
      expect(result).toEqual({ matches: [], capped: false, timedOut: false, scannedTo: bytes, bytes });
    }
  });

  it('reports a bad regex as invalid input', async () => {
    const { handlers, hash } = runWith('text');
    const error = await handlers['documents.search']({ runId: 'run-1', hash, query: '(a', regex: true, caseSensitive: false, from: 0, maxMatches: 10 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RlmError);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/not a valid regular expression/) });
  });

  it('cuts off a catastrophic regex at the time bound while this thread keeps answering', async () => {
    const { handlers, hash } = runWith(`${'a'.repeat(40)}b\n${filler(1000)}`, 800);
    // (a+)+$ against 40 a's and a b backtracks 2^40 times: for ever, on any machine.
    const started = performance.now();
    const search = handlers['documents.search']({ runId: 'run-1', hash, query: '(a+)+$', regex: true, caseSensitive: false, from: 0, maxMatches: 10 });
    // Meanwhile the event loop serves other requests: timers fire on time and reads answer.
    const lags: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = performance.now();
      await new Promise((resolve) => setTimeout(resolve, 20));
      lags.push(performance.now() - before - 20);
      const page = await handlers['documents.read']({ runId: 'run-1', hash, offset: 0, length: 3 });
      expect(page.text).toBe('aaa');
    }
    const result = await search;
    expect(result).toMatchObject({ timedOut: true, capped: false, matches: [] });
    expect(performance.now() - started).toBeLessThan(5000);
    expect(Math.max(...lags)).toBeLessThan(200);
  });
});

describe('searches at once', () => {
  it('answers every one of many searches started together (two run, the rest wait)', async () => {
    const { handlers, hash } = runWith('one two three two one', 5000);
    const queries = ['one', 'two', 'three', 'o', 'e'];
    const results = await Promise.all(
      queries.map((query) => handlers['documents.search']({ runId: 'run-1', hash, query, regex: false, caseSensitive: true, from: 0, maxMatches: 100 })),
    );
    expect(results.map((r) => r.matches.length)).toEqual([2, 2, 1, 4, 4]);
  });
});

describe('a search its caller cancels', () => {
  const catastrophic = (handlers: ReturnType<typeof runWith>['handlers'], hash: string, signal: AbortSignal) =>
    handlers['documents.search']({ runId: 'run-1', hash, query: '(a+)+$', regex: true, caseSensitive: false, from: 0, maxMatches: 10 }, signal);

  it('stops at once, well before its time bound, and frees its turn for the next search', async () => {
    const { handlers, hash } = runWith(`${'a'.repeat(40)}b\n${filler(1000)}`, 30_000);
    // Two runaway searches hold both turns; a third waits behind them.
    const controllers = [new AbortController(), new AbortController()];
    const runaway = controllers.map((c) => catastrophic(handlers, hash, c.signal));
    const waiting = handlers['documents.search']({ runId: 'run-1', hash, query: 'b', regex: false, caseSensitive: true, from: 0, maxMatches: 10 });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    for (const c of controllers) c.abort();
    for (const search of runaway) await expect(search).rejects.toMatchObject({ name: 'AbortError' });
    expect((await waiting).matches[0]).toEqual({ start: 40, end: 41 });
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it('leaves the queue without running when cancelled while it waits, or before it starts', async () => {
    const { handlers, hash } = runWith(`${'a'.repeat(40)}b\n${filler(1000)}`, 30_000);
    const holders = [new AbortController(), new AbortController()];
    const running = holders.map((c) => catastrophic(handlers, hash, c.signal));
    const queued = new AbortController();
    const waiting = catastrophic(handlers, hash, queued.signal);
    queued.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
    const already = new AbortController();
    already.abort();
    await expect(catastrophic(handlers, hash, already.signal)).rejects.toMatchObject({ name: 'AbortError' });
    for (const c of holders) c.abort();
    await Promise.allSettled(running);
  });
});
