// interop.import through a real service: a log sent as an upload (as the page sends it), a path
// where the mode allows one, and a file that is no log.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { block, iteration, jsonl, metadata, subCall } from '../testing/rlmsLogs';
import { startHarness, SUB, type Harness } from '../testing/serviceHarness';
import type { RlmService } from './rlmService';
import type { ServiceConfig } from './serviceConfig';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(config: Partial<ServiceConfig> = {}): Promise<Harness> {
  // No model is called by an import: a model that answers nothing will do.
  harness = await startHarness(() => ({ text: 'FINAL(unused)' }), config);
  return harness;
}

async function upload(service: RlmService, name: string, text: string | Buffer, purpose: 'input' | 'import' = 'import'): Promise<string> {
  const data = Buffer.from(text);
  const { uploadId } = await service.call('uploads.begin', { name, bytes: data.length, purpose });
  await service.call('uploads.append', { uploadId, offset: 0, data: new Uint8Array(data) });
  return uploadId;
}

function uploadedFiles(h: Harness): string[] {
  const root = join(h.dir, 'uploads');
  if (!existsSync(root)) return [];
  return readdirSync(root).flatMap((folder) => readdirSync(join(root, folder)));
}

/** Tokens but no cost for a model the service's price table has ($0.5 / $1 per million). */
const PRICED_CALL = subCall('count?', '3', { root_model: SUB, usage_summary: undefined, prompt_tokens: 1000, completion_tokens: 100 });
const LOG = `${jsonl([metadata(), iteration(1, { code_blocks: [block({ code: 'print(len(context))', calls: [PRICED_CALL] })] }), iteration(2, { code_blocks: [], final_answer: 'three' })])}not json\n`;

describe('interop.import', () => {
  it('imports a log the page uploaded, prices it from the settings, tells the runs list, and deletes the upload', async () => {
    const h = await start({ mode: 'browser' });
    const uploadId = await upload(h.service, 'session.jsonl', LOG);
    const { runs, warnings } = await h.service.call('interop.import', { uploadId });
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ status: 'completed', answer: 'three', origin: 'imported', source: 'session.jsonl', iterations: 2, modelCalls: 3, unpricedCalls: 2, costUsd: null });
    expect(runs[0]!.pricedCostUsd).toBeCloseTo((1000 * 0.5 + 100 * 1) / 1e6, 12);
    expect(warnings).toEqual([expect.stringMatching(/^line 4 is not JSON/)]);
    expect(h.events).toContainEqual({ type: 'app.runsChanged', runId: null });
    expect((await h.service.call('runs.list', {})).map((r) => [r.runId, r.origin])).toEqual([[runs[0]!.runId, 'imported']]);
    // Node 3 is the first cell (rlm 1, turn 2, cell 3): the library's code is Python.
    expect(await h.service.call('nodes.get', { runId: runs[0]!.runId, nodeId: 3 })).toMatchObject({ code: 'print(len(context))', language: 'python' });
    expect(uploadedFiles(h)).toEqual([]);
    await expect(h.service.call('interop.import', { uploadId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses an upload that is no log with one line naming it, and changes nothing', async () => {
    const h = await start({ mode: 'browser' });
    const uploadId = await upload(h.service, 'notes.txt', 'not a log\n');
    const error = await h.service.call('interop.import', { uploadId }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^notes\.txt: The file holds no record of the reference library/) });
    expect(await h.service.call('runs.list', {})).toEqual([]);
    // A file refused as no log is judged before anything is written: the runs list is told nothing
    // (other failures, deep in a file written as it streams, tell it to look again).
    expect(h.events.filter((e) => e.type === 'app.runsChanged')).toEqual([]);
    expect(uploadedFiles(h)).toEqual([]);
  });

  it('takes only uploads sent for import, which may be binary (a portable file is gzip)', async () => {
    const h = await start({ mode: 'browser' });
    const asInput = await upload(h.service, 'session.jsonl', LOG, 'input');
    await expect(h.service.call('interop.import', { uploadId: asInput })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: "session.jsonl was sent as a run's input; send it again to import it" });
    // A run's input must be text; a file for import is judged by the import alone.
    const gzip = gzipSync(Buffer.from('{"not":"portable"}\n'.repeat(500)));
    await expect(upload(h.service, 'old.rlmscope', gzip, 'input')).rejects.toMatchObject({ code: 'BINARY_FILE' });
    const asImport = await upload(h.service, 'old.rlmscope', gzip);
    const error = await h.service.call('interop.import', { uploadId: asImport }).catch((e: unknown) => e);
    expect(error).toMatchObject({ message: expect.stringMatching(/^old\.rlmscope/) });
    expect(error).not.toMatchObject({ code: 'BINARY_FILE' });
    expect(await h.service.call('runs.list', {})).toEqual([]);
  });

  it('takes a path in the desktop app, and refuses one in browser mode', async () => {
    const desktop = await start({ mode: 'desktop' });
    const path = join(desktop.dir, 'on-disk.jsonl');
    writeFileSync(path, LOG);
    expect((await desktop.service.call('interop.import', { path })).runs.map((r) => r.source)).toEqual(['on-disk.jsonl']);
    await desktop.close();

    const browser = await start({ mode: 'browser' });
    const error = await browser.service.call('interop.import', { path }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/^in browser mode, send the file from the page/) });
    expect(await browser.service.call('runs.list', {})).toEqual([]);
  });
});
