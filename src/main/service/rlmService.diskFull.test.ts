// A full disk, simulated deterministically with SQLite's max_page_count on the service's own
// connection (the same SQLITE_FULL "database or disk is full" a full disk gives): the first
// failed write stops the run, no model call follows it, and no node is left running.
import type Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { repl, startHarness, turn, type Harness } from '../testing/serviceHarness';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** The service's connection: the limit must be the one its writes hit. */
function connectionOf(harness: Harness): Database.Database {
  return (harness.service as unknown as { db: Database.Database }).db;
}

/** From now on the file may not grow: any write that needs a new page fails with SQLITE_FULL. */
function fillDisk(harness: Harness): void {
  const db = connectionOf(harness);
  db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
}

async function runUntilFull() {
  const started = await h!.service.call('runs.start', { query: 'fill it', inputs: [{ kind: 'text', name: 'in.txt', text: 'hello' }] });
  const summary = await h!.service.waitForRun(started.runId);
  // Room again, as after the user frees space: what the run left behind can be read and checked.
  connectionOf(h!).pragma('max_page_count = 4294967294');
  return { summary, nodes: h!.service.store.getNodes(started.runId), run: h!.service.store.getRun(started.runId) };
}

describe('a full disk during a run', () => {
  it('stops the run at the first failed write: no further model call, failed with the reason, no node running', async () => {
    h = await startHarness((req) => {
      if (turn(req) > 0) return { text: 'FINAL(the run went on after a failed write)' };
      fillDisk(h!);
      // The cell's 300 KB of output cannot be stored.
      return { text: repl('print("x".repeat(300000))') };
    });
    const { summary, nodes, run } = await runUntilFull();
    expect(h.fake.requests.length).toBe(1);
    const failed = { status: 'failed', answer: null, stopReason: 'error', error: 'could not record the run: database or disk is full' };
    expect(summary).toMatchObject(failed);
    expect(run).toMatchObject(failed);
    expect(nodes.filter((node) => node.status === 'running')).toEqual([]);
  });

  it('makes no sub-call once one could not be recorded (the model is not shown "disk full" as cell errors)', async () => {
    h = await startHarness((req) => {
      if (req.messages.every((m) => m.role !== 'system')) return { text: 'sub answer' };
      if (turn(req) > 0) return { text: 'FINAL(the run went on after a failed write)' };
      fillDisk(h!);
      return { text: repl('for (let i = 0; i < 20; i++) { try { await llm_query("question " + i + " " + "y".repeat(50000)); } catch (e) { print(String(e)); } }\nFINAL("done")') };
    });
    const { summary, nodes } = await runUntilFull();
    expect(h.fake.requests.length).toBe(1);
    expect(summary).toMatchObject({ status: 'failed', error: 'could not record the run: database or disk is full' });
    expect(nodes.filter((node) => node.status === 'running')).toEqual([]);
  });
});
