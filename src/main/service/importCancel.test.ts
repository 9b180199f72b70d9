// Cancelling interop.import (the runs list's Cancel) through a real service on a real database
// file: the call stops, the upload is let go, and every run left in the database is whole.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAbortError } from '../../shared/cancellation';
import { iteration, jsonl, metadata } from '../testing/rlmsLogs';
import { startHarness, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

/** Runs in the log, each a metadata record and three iterations (root, 3 turns, 3 cells: 7 nodes). */
const RUNS = 4_000;
const NODES_PER_RUN = 7;

function bigLog(): Buffer {
  const records: unknown[] = [];
  for (let r = 0; r < RUNS; r++) records.push(metadata(), iteration(1), iteration(2), iteration(3, { final_answer: `answer ${r}` }));
  return Buffer.from(jsonl(records));
}

describe('interop.import, cancelled', () => {
  it('stops, keeps only runs written whole, tells the runs list, and lets go of the upload', async () => {
    const h = (harness = await startHarness(() => ({ text: 'FINAL(unused)' }), { mode: 'browser' }));
    const data = bigLog();
    const { uploadId } = await h.service.call('uploads.begin', { name: 'big.jsonl', bytes: data.length, purpose: 'import' });
    for (let at = 0; at < data.length; at += 4 * 1024 * 1024) {
      await h.service.call('uploads.append', { uploadId, offset: at, data: new Uint8Array(data.subarray(at, at + 4 * 1024 * 1024)) });
    }
    const controller = new AbortController();
    const importing = h.service.call('interop.import', { uploadId }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    const error = await importing.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error, 'the import finished before the cancel: make the log larger').not.toBeNull();
    expect(isAbortError(error)).toBe(true);

    const runs = await h.service.call('runs.list', { limit: RUNS });
    expect(runs.length).toBeLessThan(RUNS);
    for (const run of runs) {
      expect(run.origin).toBe('imported');
      expect(h.service.store.getNodes(run.runId), `nodes of ${run.runId}`).toHaveLength(NODES_PER_RUN);
      expect(run.status).toBe('completed');
    }
    expect(h.events).toContainEqual({ type: 'app.runsChanged', runId: null });
    // The upload is gone: its folder empties, and it can no longer be imported.
    const uploads = join(h.dir, 'uploads');
    expect(existsSync(uploads) ? readdirSync(uploads).flatMap((d) => readdirSync(join(uploads, d))) : []).toEqual([]);
    await expect(h.service.call('interop.import', { uploadId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  }, 60_000);
});
