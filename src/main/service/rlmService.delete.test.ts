import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { RlmEvent } from '../../shared/api';
import { DEFAULT_LIMITS } from '../../shared/limits';
import type { FakeHandler } from '../fakeProvider/server';
import { RunRepository } from '../store/runRepository';
import { repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let harness: Harness | null = null;
afterEach(async () => {
  await harness?.close();
  harness = null;
});

async function start(handler: FakeHandler): Promise<Harness> {
  harness = await startHarness(handler);
  return harness;
}

/** Rows of `table`, read through a connection of its own. */
function count(h: Harness, table: string): number {
  const db = new Database(h.dbPath, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('RlmService runs.delete', () => {
  it('deletes a finished run with its nodes and the documents no other run uses, and tells the app', async () => {
    // The root hands a piece of its input to a child RLM: the child's context is a document too.
    const h = await start((req) => {
      if (req.model === 'sub-model') return { text: 'FINAL(child done)' };
      const code = 'const text = Array.isArray(context) ? context.join("+") : context;\nFINAL(await rlm_query("look", text.slice(-4)))';
      return turn(req) === 0 ? { text: repl(code) } : { text: 'FINAL(x)' };
    });
    const kept = await h.service.call('runs.start', { query: 'kept', inputs: [{ kind: 'text', name: 'shared.txt', text: 'shared input' }] });
    await h.service.waitForRun(kept.runId);
    const gone = await h.service.call('runs.start', { query: 'gone', inputs: [{ kind: 'text', name: 'shared.txt', text: 'shared input' }, { kind: 'text', name: 'own.txt', text: 'only this run' }] });
    expect(await h.service.waitForRun(gone.runId)).toMatchObject({ status: 'completed', answer: 'child done', maxDepthReached: 1 });
    // The shared input, the deleted run's own input, and each run's child context.
    expect(count(h, 'documents')).toBe(4);

    const ofRun: RlmEvent[] = [];
    h.service.subscribe(gone.runId, (event) => ofRun.push(event));
    h.events.length = 0;
    expect(await h.service.call('runs.delete', { runId: gone.runId })).toEqual({ deleted: true });

    await expect(h.service.call('runs.get', { runId: gone.runId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await h.service.call('runs.list', {})).map((run) => run.runId)).toEqual([kept.runId]);
    expect(count(h, 'documents')).toBe(2);
    expect(await h.service.call('runs.nodes', { runId: kept.runId })).not.toHaveLength(0);
    expect(h.events).toEqual([{ type: 'app.runsChanged', runId: null }]);
    expect(ofRun).toEqual([]);
    await expect(h.service.call('runs.delete', { runId: gone.runId })).rejects.toMatchObject({ code: 'NOT_FOUND', message: `no run ${gone.runId}` });
  });

  it('refuses to delete a run that is going, here or in another live process', async () => {
    const h = await start(() => ({ hang: true }));
    const { runId } = await h.service.call('runs.start', { query: 'slow', inputs: [] });
    await expect(h.service.call('runs.delete', { runId })).rejects.toMatchObject({ code: 'RUN_ACTIVE', message: expect.stringContaining('stop the run before deleting it') });
    await h.service.call('runs.stop', { runId });
    expect(await h.service.call('runs.delete', { runId })).toEqual({ deleted: true });

    // A run another process (this test's parent, alive) is running, heartbeat fresh.
    const other = new Database(h.dbPath);
    new RunRepository(other).createRun({
      runId: 'r-elsewhere',
      createdAt: Date.now(),
      query: 'elsewhere',
      rootModel: 'm',
      subModel: 'm',
      baseUrl: 'http://127.0.0.1:1/v1',
      limits: DEFAULT_LIMITS,
      seed: 1,
      ownerPid: process.ppid,
      ownerHost: hostname(),
    });
    other.close();
    await expect(h.service.call('runs.delete', { runId: 'r-elsewhere' })).rejects.toMatchObject({ code: 'RUN_ACTIVE' });
  });
});
