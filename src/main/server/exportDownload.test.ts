// "Export run" in browser mode, over real loopback HTTP on a real database file: `interop.export`
// hands the page a one-time link, and `GET /downloads/<ticket>` streams the file — which
// re-imports equal (portable), decodes (OTLP) or re-imports with the same tree (reference log) —
// only to a request carrying the page's cookie, once.
import { readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_FORMATS, exportFileName } from '../../shared/api/interop';
import { DEFAULT_LIMITS } from '../../shared/limits';
import { importFile } from '../interop/importRuns';
import { PriceTable } from '../model/prices';
import { RunReader } from '../store/runReader';
import { RunRepository } from '../store/runRepository';
import { eventually, makeRendererDir, type PageFixture } from '../testing/browserServerFixtures';
import { recordExportSample } from '../testing/exportRuns';
import { decodeOtlpJson } from '../testing/otlpDecode';
import type { Harness } from '../testing/serviceHarness';
import { tempDatabase, tempFolder } from '../testing/tempDatabase';
import { startBrowserServer, type BrowserServer } from './browserServer';

let h: Harness;
let runId: string;
let page: PageFixture;
let server: BrowserServer;
let cookie: Record<string, string>;

beforeAll(async () => {
  ({ harness: h, runId } = await recordExportSample({ mode: 'browser' }));
  page = makeRendererDir();
  server = await startBrowserServer({ api: h.service, downloads: h.service.downloads, rendererDir: page.rendererDir, port: 0, log: () => undefined });
  cookie = { Cookie: `${server.cookieName}=${server.token}` };
}, 60_000);

afterAll(async () => {
  await server?.close();
  await h?.close();
});

interface Fetched {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A GET over loopback, its body as bytes. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { Host: `127.0.0.1:${server.port}`, ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function offer(format: (typeof EXPORT_FORMATS)[number], id = runId) {
  const outcome = await h.service.call('interop.export', { runId: id, format });
  if (outcome.kind !== 'download') throw new Error(`expected a download, got ${outcome.kind}`);
  return outcome;
}

/** Imports a file into a fresh database; returns its reader and the imported run's id. */
async function importInto(bytes: Buffer, name: string) {
  const file = join(tempFolder(), name);
  writeFileSync(file, bytes);
  const { db } = tempDatabase();
  const store = new RunRepository(db);
  const result = await importFile(file, { store, prices: PriceTable.withDefaults(), assumeUtc: true });
  return { reader: new RunReader(db), result };
}

describe('an exported run, downloaded', () => {
  it('as a portable file: gzip, named <runId>.rlmscope, and it re-imports equal node for node and payload for payload', async () => {
    const link = await offer('rlmscope');
    expect(link).toMatchObject({ fileName: `${runId}.rlmscope`, partial: false });
    expect(link.url).toMatch(/^\/downloads\/[A-Za-z0-9_-]{32}$/);
    const res = await get(link.url, cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/gzip');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="${runId}.rlmscope"`);
    expect(res.headers['cache-control']).toBe('no-store');
    expect([...res.body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);

    const { reader, result } = await importInto(res.body, 'back.rlmscope');
    expect(result.runs.map((r) => r.runId)).toEqual([runId]);
    const original = h.service.store.getNodes(runId);
    expect(reader.getNodes(runId)).toEqual(original);
    for (const node of original) expect(reader.getPayload(runId, node.id), `payload of node ${node.id}`).toEqual(h.service.store.getPayload(runId, node.id));
  });

  it("as OTLP JSON: one span per node of the run, under the run's trace", async () => {
    const link = await offer('otlp');
    expect(link.fileName).toBe(`${runId}.otlp.json`);
    const res = await get(link.url, cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    const decoded = decodeOtlpJson(res.body.toString('utf8'));
    const nodes = h.service.store.getNodes(runId);
    expect(decoded.spans).toHaveLength(nodes.length);
    expect(decoded.spans.filter((s) => s.parentSpanId === null)).toHaveLength(1);
    expect(decoded.spans.map((s) => s.name)).toEqual(expect.arrayContaining(['invoke_agent rlm', 'execute_tool repl']));
  });

  it("as the reference library's JSONL: it re-imports with the same turns and cells", async () => {
    const link = await offer('rlms');
    expect(link.fileName).toBe(`${runId}.jsonl`);
    const res = await get(link.url, cookie);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/x-ndjson');
    const { reader, result } = await importInto(res.body, 'back.jsonl');
    expect(result.runs).toHaveLength(1);
    const back = reader.getNodes(result.runs[0]!.runId);
    const original = h.service.store.getNodes(runId);
    const shape = (nodes: typeof original) => nodes.map((n) => `${n.depth}:${n.kind}`).sort();
    expect(shape(back)).toEqual(shape(original));
  });
});

describe('the download link', () => {
  it('works once: the same ticket again is refused with a line saying what to do', async () => {
    const link = await offer('otlp');
    expect((await get(link.url, cookie)).status).toBe(200);
    const again = await get(link.url, cookie);
    expect(again.status).toBe(404);
    expect(again.body.toString()).toBe('This download link has expired or was used already: export the run again from the page.\n');
  });

  it("is refused without the session's cookie, with a wrong one, or from another Host, and stays good for the page", async () => {
    const link = await offer('otlp');
    expect((await get(link.url)).status).toBe(403);
    expect((await get(link.url, { Cookie: `${server.cookieName}=${server.token}x` })).status).toBe(403);
    expect((await get(link.url, { ...cookie, Host: `evil.example:${server.port}` })).status).toBe(403);
    // None of those spent it.
    expect((await get(link.url, cookie)).status).toBe(200);
  });

  it('takes no HEAD (which would spend the ticket) and knows no made-up ticket', async () => {
    const link = await offer('otlp');
    expect((await get(link.url, cookie, 'HEAD')).status).toBe(405);
    expect((await get(`/downloads/${'A'.repeat(32)}`, cookie)).status).toBe(404);
    expect((await get('/downloads', cookie)).status).toBe(404);
    expect((await get(`${link.url}/extra`, cookie)).status).toBe(404);
    expect((await get(link.url, cookie)).status).toBe(200);
  });

  it('says the run is gone when it was deleted after the link was made', async () => {
    const { runId: doomed } = await h.service.call('runs.start', { query: 'to be deleted', inputs: [] });
    await h.service.waitForRun(doomed);
    const link = await offer('rlmscope', doomed);
    await h.service.call('runs.delete', { runId: doomed });
    const res = await get(link.url, cookie);
    expect(res.status).toBe(404);
    expect(res.body.toString()).toBe(`Not exported: no run ${doomed}: it may have been deleted.\n`);
  });

  it.each(['otlp', 'rlmscope'] as const)('lets go of the database when a %s download is cut off half way, and the next one is whole', async (format) => {
    const big = writeManyNodeRun(h.service.store, `r-cut-${format}`, 3_000);
    const before = openDatabaseFiles();
    const link = await offer(format, big);
    let received = 0;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no first byte')), 10_000);
      const req = request({ host: '127.0.0.1', port: server.port, path: link.url, headers: { Host: `127.0.0.1:${server.port}`, ...cookie }, agent: false }, (res) => {
        res.once('data', (chunk: Buffer) => {
          received = chunk.length;
          clearTimeout(timer);
          req.destroy();
          resolve();
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(received).toBeGreaterThan(0);
    // The export's own read-only connection (its snapshot) is closed: the exporter did not hang
    // on a response that will never drain. At most as many files as before, not exactly as many:
    // under the whole suite's load, an earlier test's export may still have been closing when
    // `before` was counted, the likely cause of two 10 s time-outs seen under the whole suite.
    await eventually(() => openDatabaseFiles() <= before, 20_000);
    const res = await get((await offer(format, big)).url, cookie);
    expect(res.status).toBe(200);
    if (format === 'otlp') expect(decodeOtlpJson(res.body.toString('utf8')).spans).toHaveLength(3_001);
    else expect((await importInto(res.body, 'cut.rlmscope')).reader.getNodes(big)).toHaveLength(3_001);
  });
});

/** How many files of the harness's database this process holds open (each connection holds some). */
function openDatabaseFiles(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith(h.dbPath);
    } catch {
      return false;
    }
  }).length;
}

describe('interop.export', () => {
  it('refuses a format it does not know, naming the field', async () => {
    await expect(h.service.call('interop.export', { runId, format: 'csv' as 'otlp' })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringContaining('interop.export: format: '),
    });
    await expect(h.service.call('interop.export', { runId, format: 'otlp', path: '/tmp/x' } as never)).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('refuses an unknown run with one line', async () => {
    await expect(h.service.call('interop.export', { runId: 'r-nope', format: 'otlp' })).rejects.toMatchObject({ code: 'NOT_FOUND', message: 'no run r-nope: it may have been deleted' });
  });

  it('streams a 10,000-node run', async () => {
    const big = writeManyNodeRun(h.service.store, 'r-big', 10_000);
    const started = Date.now();
    const res = await get((await offer('rlmscope', big)).url, cookie);
    expect(res.status).toBe(200);
    const { reader } = await importInto(res.body, 'big.rlmscope');
    expect(reader.getNodes(big)).toHaveLength(10_001);
    expect(reader.getPayload(big, 10_001)).toEqual({ code: 'print(10000)', output: '10000\n' });
    expect(Date.now() - started).toBeLessThan(60_000);
  });

  it('marks the export of a run still going as partial: what was recorded so far', async () => {
    const store = h.service.store;
    store.createRun({ runId: 'r-going', createdAt: Date.now(), query: 'still going', rootModel: 'root-model', subModel: 'sub-model', baseUrl: 'http://127.0.0.1:9/v1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' });
    store.addNode('r-going', { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: Date.now(), label: 'still going', model: 'root-model' }, { query: 'still going' });
    const link = await offer('otlp', 'r-going');
    expect(link.partial).toBe(true);
    const res = await get(link.url, cookie);
    expect(decodeOtlpJson(res.body.toString('utf8')).spans).toHaveLength(1);
  });

  it('names files after the run id, with what a header cannot carry made safe', () => {
    expect(EXPORT_FORMATS.map((f) => exportFileName('r-1', f))).toEqual(['r-1.rlmscope', 'r-1.otlp.json', 'r-1.jsonl']);
    expect(exportFileName('a"b/../c\r\nd', 'rlms')).toBe('a_b_.._c__d.jsonl');
    expect(exportFileName('..', 'otlp')).toBe('_.otlp.json');
  });
});

/** A finished run of one root RLM and `cells` cells under it, written through the real store. */
function writeManyNodeRun(store: RunRepository, id: string, cells: number): string {
  const at = Date.now();
  store.createRun({ runId: id, createdAt: at, query: `many nodes ${id}`, rootModel: 'root-model', subModel: 'sub-model', baseUrl: 'http://127.0.0.1:9/v1', limits: DEFAULT_LIMITS, seed: 1, ownerPid: process.pid, ownerHost: 'test' });
  store.addNode(id, { id: 1, parentId: null, kind: 'rlm', depth: 0, seq: 0, startedAt: at, label: `many nodes ${id}`, model: 'root-model', status: 'completed' }, { query: `many nodes ${id}`, answer: 'done' });
  for (let i = 1; i <= cells; i++) {
    store.addNode(id, { id: i + 1, parentId: 1, kind: 'cell', depth: 0, seq: i, startedAt: at + i, label: `cell ${i}`, status: 'completed' }, { code: `print(${i})`, output: `${i}\n` });
  }
  store.finishRun(id, { status: 'completed', endedAt: at + cells + 1, answer: 'done', stopReason: null, error: null });
  return id;
}
